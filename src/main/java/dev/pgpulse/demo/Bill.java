package dev.pgpulse.demo;

import java.time.LocalDate;

/** The seed's example entity: a bill with a title, a status and the date it was introduced. */
public record Bill(long id, String title, Status status, LocalDate introducedOn) {

    public enum Status { INTRODUCED, COMMITTEE, PASSED, FAILED, ENACTED }
}
