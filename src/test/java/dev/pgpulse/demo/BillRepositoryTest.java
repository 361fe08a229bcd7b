package dev.pgpulse.demo;

import dev.pgpulse.config.ConfigLoader;
import dev.pgpulse.config.Overrides;
import dev.pgpulse.pool.Endpoints;
import dev.pgpulse.resilience.ErrorCategory;
import dev.pgpulse.resilience.EventLog;
import dev.pgpulse.resilience.Guard;
import dev.pgpulse.service.DatabaseService;
import dev.pgpulse.service.Result;
import dev.pgpulse.testing.PostgresExtension;
import dev.pgpulse.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(PostgresExtension.class)
class BillRepositoryTest {

    @Test
    void billsAreWrittenAndReadThroughTheService(TestDatabase server) throws Exception {
        TestDatabase db = server.freshDatabase("pgpulse_bills_test").migrated();
        var config = new ConfigLoader(db.env(), Path.of("/nonexistent"), "tester", 2).load(Overrides.none());
        var meters = new SimpleMeterRegistry();
        try (DatabaseService service = new DatabaseService(Endpoints.open(config, meters),
                new Guard(config.resilience(), meters, new EventLog(100), Clock.systemUTC()), meters, Clock.systemUTC())) {
            BillRepository bills = new BillRepository(service);
            Bill a = bills.create("Clean Water Act", Bill.Status.INTRODUCED, LocalDate.of(2026, 3, 1)).orElseThrow();
            Bill b = bills.create("Budget 2027", Bill.Status.INTRODUCED, LocalDate.of(2026, 5, 2)).orElseThrow();
            assertThat(b.id()).isGreaterThan(a.id());
            assertThat(bills.findById(a.id()).orElseThrow()).containsExactly(a);
            assertThat(bills.recent(Bill.Status.INTRODUCED, 10).orElseThrow()).containsExactly(b, a);

            assertThat(bills.updateStatus(a.id(), Bill.Status.PASSED).orElseThrow()).isTrue();
            assertThat(bills.updateStatus(999_999, Bill.Status.PASSED).orElseThrow()).isFalse();
            Map<Bill.Status, Long> counts = bills.countByStatus().orElseThrow();
            assertThat(counts).containsEntry(Bill.Status.PASSED, 1L).containsEntry(Bill.Status.INTRODUCED, 1L);

            Result<Bill> bad = bills.create("", Bill.Status.INTRODUCED, LocalDate.now());
            assertThat(((Result.Failure<Bill>) bad).category()).isEqualTo(ErrorCategory.CONSTRAINT);

            List<String> ops = service.snapshot().operations().stream().map(o -> o.operation()).toList();
            assertThat(ops).contains("bills.create", "bills.find", "bills.recent", "bills.update_status",
                    "bills.count_by_status");
        }
    }
}
