package dev.pgpulse.ui;

import dev.pgpulse.config.ConfigException;
import dev.pgpulse.config.PgPulseConfig;
import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.config.ProfileStore;
import dev.pgpulse.pool.ConnectionTest;
import dev.pgpulse.ui.fx.BackgroundTask;
import dev.pgpulse.ui.shell.ProfileActions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The profiles dialog's actions over the core: the profile file through {@link ProfileStore}, connection tests
 * through {@link ConnectionTest}, switches through {@link ConsoleApp#switchTo}. One thread of its own does the file
 * and the tests (a hung server waits there, bounded by connect_timeout, never on the FX thread). Passwords asked
 * for at connect are held here, per profile name, until PgPulse exits: never logged, never written.
 */
final class AppProfiles implements ProfileActions {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AppProfiles.class);
    private final Console.Profiles profiles;
    private final ConsoleApp app;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("pgpulse-profiles").daemon().factory());
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    AppProfiles(Console.Profiles profiles, ConsoleApp app) {
        this.profiles = profiles;
        this.app = app;
    }

    @Override
    public Path file() {
        return profiles.store().file();
    }

    @Override
    public void load(Consumer<ProfileStore.Listing> done) {
        run("read the profiles", () -> profiles.store().load(), done, e -> new ProfileStore.Listing(List.of(), null,
                ProfileStore.Stamp.ABSENT, List.of(file() + " could not be read: " + e.getMessage()), List.of()));
    }

    @Override
    public void save(ProfileSpec spec, String replacing, ProfileStore.Stamp basedOn, Consumer<Edited> done) {
        edit("save profile " + spec.name(), () -> profiles.store().save(spec, replacing, basedOn), e -> {
            // a renamed profile keeps the password asked for under its old name, once the file says so
            if (e.problem().isEmpty() && replacing != null && !replacing.equals(spec.name())
                    && passwords.containsKey(replacing)) {
                passwords.put(spec.name(), passwords.remove(replacing));
            }
            if (e.problem().isEmpty() && replacing != null && !replacing.equals(spec.name())) {
                app.renamed(replacing, spec.name()); // the running profile's new name in the header
            }
            done.accept(e);
        });
    }

    @Override
    public void delete(String name, ProfileStore.Stamp basedOn, Consumer<Edited> done) {
        edit("delete profile " + name, () -> profiles.store().delete(name, basedOn), e -> {
            if (e.problem().isEmpty()) {
                passwords.remove(name);
            }
            done.accept(e);
        });
    }

    @Override
    public void makeDefault(String name, ProfileStore.Stamp basedOn, Consumer<Edited> done) {
        edit("make " + name + " the default profile", () -> profiles.store().setDefault(name, basedOn), done);
    }

    @Override
    public void test(ProfileSpec spec, String password, Consumer<ConnectionTest.Result> done) {
        run("test profile " + spec.name(), () -> {
            String pw = password != null ? password : passwords.get(spec.name());
            PgPulseConfig config;
            try {
                config = profiles.load(spec, pw);
            } catch (ConfigException e) {
                return failed("configuration", spec.name(), String.join("; ", e.problems()));
            }
            ConnectionTest.Result r = ConnectionTest.test(config);
            if (password != null && !r.needsPassword()) {
                passwords.put(spec.name(), password); // asked for and taken: kept for the switch, in memory only
            }
            return r;
        }, done, e -> failed("test", spec.name(), e));
    }

    @Override
    public void switchTo(String name, String password, Consumer<Switched> done) {
        if (name == null) {
            app.switchTo(ConsoleApp.LAUNCH_TARGET, app.launchConfig(), f -> done.accept(new Switched(f, false)));
            return;
        }
        BackgroundTask.of("switch to profile " + name, progress -> {
            String pw = password != null ? password : passwords.get(name);
            PgPulseConfig config;
            try {
                config = profiles.load(name, pw);
            } catch (ConfigException e) {
                return new Prepared(null, new Switched(Optional.of(String.join("; ", e.problems())), false));
            }
            // a quick, bounded look first: a password the server asks for is asked here, not after a long start
            ConnectionTest.Result r = ConnectionTest.test(config);
            // a replica that does not answer does not stop the switch (its pool connects once it is back, as at a
            // start); the primary does, and a password the server wants
            boolean primaryAnswers = r.endpoints().isEmpty() || r.endpoints().getFirst().ok();
            if (!primaryAnswers || r.needsPassword()) {
                return new Prepared(null, new Switched(Optional.of(r.summary()), r.needsPassword()));
            }
            if (password != null) {
                passwords.put(name, password);
            }
            return new Prepared(config, null);
        }).onSuccess(p -> {
            if (p.refused() != null) {
                done.accept(p.refused());
            } else {
                app.switchTo(name, p.config(), f -> done.accept(new Switched(f, false)));
            }
        }).onFailure(e -> done.accept(new Switched(Optional.of(e.toString()), false))).start(worker);
    }

    private record Prepared(PgPulseConfig config, Switched refused) {
    }

    @Override
    public String active() {
        String key = app.targetKey();
        return key == null || key.equals(ConsoleApp.LAUNCH_TARGET) ? null : key;
    }

    @Override
    public String launchTarget() {
        PgPulseConfig c = app.launchConfig();
        if (c.profile().isPresent()) {
            return null;
        }
        return c.primary().map(p -> p.displayTarget()).orElse("the embedded PostgreSQL");
    }

    @Override
    public boolean remembersPassword(String name) {
        return passwords.containsKey(name);
    }

    private interface Edit {
        ProfileStore.Listing apply() throws Exception;
    }

    private void edit(String what, Edit edit, Consumer<Edited> done) {
        run(what, () -> {
            try {
                return new Edited(edit.apply(), Optional.empty());
            } catch (ProfileStore.Conflict | java.io.IOException | IllegalArgumentException e) {
                return new Edited(profiles.store().load(), Optional.of(e.getMessage()));
            }
        }, done, e -> new Edited(null, Optional.of(e.toString())));
    }

    /** {@code done} is always called: with the work's result, or with {@code failed}'s for what it threw. */
    private <T> void run(String what, java.util.concurrent.Callable<T> work, Consumer<T> done,
                         java.util.function.Function<Exception, T> failed) {
        BackgroundTask.of(what, progress -> work.call()).onSuccess(done::accept)
                .onFailure(e -> {
                    LOG.warn("could not {}: {}", what, e.toString());
                    done.accept(failed.apply(e));
                })
                .start(worker);
    }

    private static ConnectionTest.Result failed(String endpoint, String target, Exception e) {
        return failed(endpoint, target, e.getMessage() == null ? e.toString() : e.getMessage());
    }

    private static ConnectionTest.Result failed(String endpoint, String target, String reason) {
        return new ConnectionTest.Result(List.of(new ConnectionTest.EndpointResult(endpoint, target, false, null, false,
                reason, null, false, java.time.Duration.ZERO)), false, java.time.Instant.now());
    }

    /** Ends the worker (PgPulse is exiting). */
    void close() {
        worker.shutdownNow();
        passwords.clear();
    }

}
