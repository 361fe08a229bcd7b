package dev.pgpulse.resilience;

import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Classification of errors the server really raises, and of the connection failures pgjdbc really reports. */
@ExtendWith(PostgresExtension.class)
class SqlErrorsTest {

    private static SQLException raise(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            return catchThrowableOfType(SQLException.class, () -> st.execute(sql));
        }
    }

    @Test
    void theCallersOwnErrorsDoNotCountAgainstTheEndpoint(TestDatabase db) throws SQLException {
        assertThat(SqlErrors.classify(raise(db, "selec 1"))).isEqualTo(ErrorCategory.SYNTAX);
        assertThat(SqlErrors.classify(raise(db, "select * from no_such_table"))).isEqualTo(ErrorCategory.SYNTAX);
        assertThat(SqlErrors.classify(raise(db, "select 1/0"))).isEqualTo(ErrorCategory.DATA);
        assertThat(SqlErrors.classify(raise(db, "select 'x'::int"))).isEqualTo(ErrorCategory.DATA);
        assertThat(SqlErrors.classify(raise(db,
                "create temp table t(id int primary key); insert into t values (1), (1)")))
                .isEqualTo(ErrorCategory.CONSTRAINT);
        assertThat(SqlErrors.classify(raise(db, "set statement_timeout = 50; select pg_sleep(1)")))
                .isEqualTo(ErrorCategory.QUERY_CANCELED);
        assertThat(SqlErrors.classify(raise(db,
                "set transaction_read_only = on; create temp table ro(id int)"))).isEqualTo(ErrorCategory.READ_ONLY);
        assertThat(SqlErrors.classify(raise(db,
                "do $$ begin raise exception 'conflict' using errcode = '40001'; end $$")))
                .isEqualTo(ErrorCategory.SERIALIZATION);
        assertThat(SqlErrors.classify(raise(db,
                "do $$ begin raise exception 'deadlock' using errcode = '40P01'; end $$")))
                .isEqualTo(ErrorCategory.SERIALIZATION);
        for (String sql : new String[] {"selec 1", "select 1/0"}) {
            assertThat(SqlErrors.countsAgainstEndpoint(raise(db, sql))).isFalse();
        }
    }

    @Test
    void endpointFailuresCount(TestDatabase db) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int closedPort = port;
        SQLException refused = catchThrowableOfType(SQLException.class, () ->
                DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + closedPort + "/x", "u", null));
        assertThat(refused.getSQLState()).isEqualTo("08001");
        assertThat(SqlErrors.classify(refused)).isEqualTo(ErrorCategory.CONNECTION);
        assertThat(SqlErrors.countsAgainstEndpoint(refused)).isTrue();

        // A backend terminated by an administrator: 57P01 on the victim's next statement.
        try (Connection victim = db.connect(); Connection admin = db.connect(); Statement v = victim.createStatement();
             Statement a = admin.createStatement()) {
            var rs = v.executeQuery("select pg_backend_pid()");
            rs.next();
            int pid = rs.getInt(1);
            a.execute("select pg_terminate_backend(" + pid + ")");
            SQLException terminated = catchThrowableOfType(SQLException.class, () -> v.execute("select 1"));
            assertThat(SqlErrors.classify(terminated)).isEqualTo(ErrorCategory.CONNECTION);
            assertThat(SqlErrors.countsAgainstEndpoint(terminated)).isTrue();
        }
        for (String state : new String[] {"57P01", "57P02", "57P03", "53300", "08006"}) {
            assertThat(SqlErrors.classify(new PSQLException("x", PSQLState.UNKNOWN_STATE) {
                @Override
                public String getSQLState() {
                    return state;
                }
            })).as(state).isEqualTo(ErrorCategory.CONNECTION);
        }
        var poolTimeout = new SQLTransientConnectionException("primary - Connection is not available, request timed out");
        assertThat(SqlErrors.classify(poolTimeout)).isEqualTo(ErrorCategory.POOL_TIMEOUT);
        assertThat(SqlErrors.classify(new SQLException("io", null, new IOException("reset"))))
                .isEqualTo(ErrorCategory.CONNECTION);
        assertThat(SqlErrors.classify(new IllegalStateException("bug"))).isEqualTo(ErrorCategory.APPLICATION);
    }
}
