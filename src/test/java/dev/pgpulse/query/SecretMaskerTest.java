package dev.pgpulse.query;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SecretMaskerTest {

    /** Each row: the statement as typed, then exactly what is kept ('|' stands for a line break). */
    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '"', textBlock = """
            CREATE ROLE app PASSWORD 'secret'                       ~ CREATE ROLE app PASSWORD '********'
            create user app with encrypted password 'se''cret' login ~ create user app with encrypted password '********' login
            ALTER ROLE app WITH PASSWORD E'sec\\'ret' VALID UNTIL 'infinity' ~ ALTER ROLE app WITH PASSWORD E'********' VALID UNTIL 'infinity'
            ALTER USER app PASSWORD 'x' VALID UNTIL '2027-01-01'    ~ ALTER USER app PASSWORD '********' VALID UNTIL '2027-01-01'
            ALTER ROLE app PASSWORD $$sec'ret$$                     ~ ALTER ROLE app PASSWORD $$********$$
            ALTER ROLE app PASSWORD $pw$a$$b$pw$ LOGIN              ~ ALTER ROLE app PASSWORD $pw$********$pw$ LOGIN
            ALTER ROLE app PASSWORD U&'s\\0065cret'                 ~ ALTER ROLE app PASSWORD U&'********'
            ALTER ROLE app|  PASSWORD|  'secret'|  LOGIN            ~ ALTER ROLE app|  PASSWORD|  '********'|  LOGIN
            ALTER ROLE app PASSWORD /* why */ 'secret'              ~ ALTER ROLE app PASSWORD /* why */ '********'
            ALTER ROLE app PASSWORD NULL                            ~ ALTER ROLE app PASSWORD NULL
            CREATE ROLE a PASSWORD 'one'; CREATE ROLE b PASSWORD 'two'; SELECT 'three' ~ CREATE ROLE a PASSWORD '********'; CREATE ROLE b PASSWORD '********'; SELECT 'three'
            CREATE ROLE password PASSWORD 'pw'                      ~ CREATE ROLE password PASSWORD '********'
            -- set the password|SELECT 'kept'                      ~ -- set the password|SELECT 'kept'
            /* password */ SELECT 'kept'                            ~ /* password */ SELECT 'kept'
            SELECT "password" 'kept'                                ~ SELECT "password" 'kept'
            SELECT 'password' AS x, 'kept'                          ~ SELECT 'password' AS x, 'kept'
            SELECT my_password, 'kept'                              ~ SELECT my_password, 'kept'
            \\password app                                          ~ \\password app
            CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password 'secret') ~ CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password '********')
            ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password 'secret') ~ ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password '********')
            CREATE SUBSCRIPTION s CONNECTION 'host=db password=secret dbname=x' PUBLICATION p ~ CREATE SUBSCRIPTION s CONNECTION 'host=db password=******** dbname=x' PUBLICATION p
            CREATE SUBSCRIPTION s CONNECTION 'host=db PASSWORD = ''se cret'' dbname=x' PUBLICATION p ~ CREATE SUBSCRIPTION s CONNECTION 'host=db PASSWORD = ******** dbname=x' PUBLICATION p
            SELECT * FROM dblink('dbname=x password=secret', 'SELECT 1') AS t(i int) ~ SELECT * FROM dblink('dbname=x password=********', 'SELECT 1') AS t(i int)
            SELECT dblink_connect('postgresql://app:secret@db:5432/x') ~ SELECT dblink_connect('postgresql://app:********@db:5432/x')
            SELECT dblink_connect('postgresql://db/x?password=secret') ~ SELECT dblink_connect('postgresql://db/x?password=********')
            SELECT dblink_connect($$host=db password=secret$$)      ~ SELECT dblink_connect($$host=db password=********$$)
                        DO $$BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''x'''; END$$ ~ DO $$BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''********'''; END$$
            SELECT 'it''s', 'a ''password'' word'                   ~ SELECT 'it''s', 'a ''password'' word'
            SELECT 'password ''x'' it''s'                           ~ SELECT 'password ''********'' it''s'
            DO $$BEGIN ALTER ROLE app PASSWORD 'secret'; END$$      ~ DO $$BEGIN ALTER ROLE app PASSWORD '********'; END$$
            SELECT $1, price$ FROM t                                ~ SELECT $1, price$ FROM t
            ALTER ROLE app PASSWORD 'unterminated                   ~ ALTER ROLE app PASSWORD '********
            COPY t FROM PROGRAM 'PGPASSWORD=secret psql -h db -c x' ~ COPY t FROM PROGRAM 'PGPASSWORD=******** psql -h db -c x'
            """)
    void masksThePasswordAndKeepsTheRestAsTyped(String typed, String kept) {
        String in = typed.replace('|', '\n');
        String out = kept.replace('|', '\n');
        assertThat(SecretMasker.mask(in)).isEqualTo(out);
        // masking what is masked changes nothing: the history may mask a statement again (a hand-edited file)
        assertThat(SecretMasker.mask(out)).isEqualTo(out);
    }

    @Test
    void aPasswordInACommentDoesNotEatTheNextStatement() {
        String script = "-- reset the PASSWORD below\nALTER ROLE app PASSWORD 'secret';\n"
                + "/* PASSWORD */ SELECT 'kept', 'also kept';\nSELECT 'password';";
        assertThat(SecretMasker.mask(script)).isEqualTo("-- reset the PASSWORD below\nALTER ROLE app PASSWORD "
                + "'********';\n/* PASSWORD */ SELECT 'kept', 'also kept';\nSELECT 'password';");
    }

    @Test
    void aHostileMegabyteIsMaskedQuickly() {
        String[] hostile = {
                "ALTER ROLE x PASSWORD ".repeat(50_000),
                "'password=".repeat(100_000),
                "a.".repeat(500_000) + "://",
                "$a".repeat(500_000),
                "/*".repeat(500_000),
                "E'\\".repeat(300_000),
                "x://".repeat(250_000),
                "password ".repeat(110_000) + "'secret'",
                // one megabyte inside a single literal, comment and dollar-quoted body: scanned inside, too
                "'" + "p".repeat(1_000_000),
                "-- " + "password password= ".repeat(50_000),
                "$$" + "a.".repeat(500_000) + "://@",
                "SELECT '" + "x@y://".repeat(150_000) + "'",
                "'" + "password ''".repeat(100_000) + "'",
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String h : hostile) {
                assertThat(SecretMasker.mask(h)).doesNotContain("secret");
            }
        });
    }
}
