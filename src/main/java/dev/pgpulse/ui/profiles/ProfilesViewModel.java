package dev.pgpulse.ui.profiles;

import dev.pgpulse.config.Environment;
import dev.pgpulse.config.ProfileSpec;
import dev.pgpulse.config.ProfileStore;
import dev.pgpulse.pool.ConnectionTest;
import dev.pgpulse.ui.shell.ProfileActions;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The profiles dialog's state: the file's profiles (and the target PgPulse was started on, when no profile named
 * it), the form of the selected one checked as you type with the profile's own checks ({@link ProfileSpec#problems}),
 * and the outcome of the last test, save or switch in words. Every call to the core goes through
 * {@link ProfileActions} and comes back on the FX thread; the view only binds and calls the setters.
 */
public final class ProfilesViewModel {
    /** The environment choice that leaves it to the configuration's default. */
    public static final String DEFAULT_ENVIRONMENT = "default";
    /** Pool settings the form shows; any other pool setting of the profile is kept as the file has it. */
    static final List<String> POOL_SHOWN = List.of("max_size", "min_idle", "connection_timeout", "statement_timeout");

    /** The fields a problem can belong to. */
    public enum Field {
        NAME, PRIMARY, REPLICAS, ENVIRONMENT, POOL, WEBHOOK
    }

    /** One line of the list: a profile's name, or null for the target PgPulse was started on. */
    public record Item(String name, String text) {
        public boolean launch() {
            return name == null;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final ProfileActions actions;
    private final ObservableList<Item> items = FXCollections.observableArrayList();
    private final ObservableList<String> environments = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Item> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ReadOnlyStringWrapper name = new ReadOnlyStringWrapper(this, "name", "");
    private final ReadOnlyStringWrapper primary = new ReadOnlyStringWrapper(this, "primary", "");
    private final ReadOnlyStringWrapper replicas = new ReadOnlyStringWrapper(this, "replicas", "");
    private final ReadOnlyStringWrapper environment = new ReadOnlyStringWrapper(this, "environment", DEFAULT_ENVIRONMENT);
    private final Map<String, ReadOnlyStringWrapper> pool = new LinkedHashMap<>();
    private final ReadOnlyStringWrapper webhook = new ReadOnlyStringWrapper(this, "webhook", "");
    private final Map<Field, ReadOnlyStringWrapper> problems = new EnumMap<>(Field.class);
    private final ReadOnlyBooleanWrapper editable = new ReadOnlyBooleanWrapper(this, "editable");
    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper(this, "dirty");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper canSwitch = new ReadOnlyBooleanWrapper(this, "canSwitch");
    private final ReadOnlyBooleanWrapper canSave = new ReadOnlyBooleanWrapper(this, "canSave");
    private final ReadOnlyBooleanWrapper canDelete = new ReadOnlyBooleanWrapper(this, "canDelete");
    private final ReadOnlyStringWrapper switchNote = new ReadOnlyStringWrapper(this, "switchNote", "");
    private final ReadOnlyStringWrapper testResult = new ReadOnlyStringWrapper(this, "testResult", "");
    /** Null before a test; then whether it passed. */
    private final ReadOnlyObjectWrapper<Boolean> testPassed = new ReadOnlyObjectWrapper<>(this, "testPassed");
    private final ReadOnlyBooleanWrapper passwordWanted = new ReadOnlyBooleanWrapper(this, "passwordWanted");
    private final ReadOnlyStringWrapper passwordPrompt = new ReadOnlyStringWrapper(this, "passwordPrompt", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper fileText = new ReadOnlyStringWrapper(this, "file", "");
    private final ReadOnlyObjectWrapper<String> switched = new ReadOnlyObjectWrapper<>(this, "switched");
    private ProfileStore.Listing listing;
    /** The profile the form edits as saved (null: a new one, not in the file yet). */
    private ProfileSpec original;
    private Map<String, String> otherPool = Map.of();
    private boolean loading;

    public ProfilesViewModel(ProfileActions actions) {
        this.actions = Objects.requireNonNull(actions, "actions");
        environments.add(DEFAULT_ENVIRONMENT);
        Arrays.stream(Environment.values()).map(e -> e.name().toLowerCase(Locale.ROOT)).forEach(environments::add);
        for (String f : POOL_SHOWN) {
            pool.put(f, new ReadOnlyStringWrapper(this, "pool." + f, ""));
        }
        for (Field f : Field.values()) {
            problems.put(f, new ReadOnlyStringWrapper(this, f.name().toLowerCase(Locale.ROOT) + "Problem", ""));
        }
        fileText.set("Profiles are kept in " + actions.file() + " (no passwords: ~/.pgpass, PGPASSWORD, "
                + "or asked at connect and kept in memory)");
    }

    /** Reads the file and selects the active profile (or the first line). */
    public void reload() {
        busy.set(true);
        actions.load(l -> {
            busy.set(false);
            show(l, actions.active());
        });
    }

    private void show(ProfileStore.Listing l, String select) {
        listing = l;
        List<Item> next = new ArrayList<>();
        String launch = actions.launchTarget();
        if (launch != null) {
            next.add(new Item(null, "Started with: " + launch + (actions.active() == null ? "  · active" : "")));
        }
        for (ProfileSpec p : l.profiles()) {
            List<String> marks = new ArrayList<>();
            if (p.name().equals(l.defaultName())) {
                marks.add("default");
            }
            if (p.name().equals(actions.active())) {
                marks.add("active");
            }
            next.add(new Item(p.name(), p.name() + (marks.isEmpty() ? "" : "  · " + String.join(" · ", marks))));
        }
        items.setAll(next);
        if (!l.problems().isEmpty()) {
            status.set(l.problems().getFirst() + (l.problems().size() > 1 ? " (and " + (l.problems().size() - 1)
                    + " more)" : ""));
        }
        Item pick = next.stream().filter(i -> Objects.equals(i.name(), select)).findFirst()
                .orElse(next.isEmpty() ? null : next.getFirst());
        if (pick == null) {
            newProfile();
        } else {
            select(pick);
        }
    }

    /** Shows a line's profile in the form (the launch target read-only). */
    public void select(Item item) {
        selected.set(item);
        testResult.set("");
        testPassed.set(null);
        passwordWanted.set(false);
        if (item == null || item.launch()) {
            original = null;
            fill(new ProfileSpec("", null, List.of(), null, Map.of(), null));
            editable.set(false);
        } else {
            original = listing.profiles().stream().filter(p -> p.name().equals(item.name())).findFirst().orElse(null);
            fill(original);
            editable.set(original != null);
        }
        dirty.set(false);
        refresh();
    }

    /** A new, empty profile in the form. */
    public void newProfile() {
        selected.set(null);
        original = null;
        fill(new ProfileSpec(unusedName("new-profile"), null, List.of(), null, Map.of(), null));
        editable.set(true);
        dirty.set(true);
        testResult.set("");
        testPassed.set(null);
        passwordWanted.set(false);
        refresh();
    }

    /** The selected profile's copy, under a name not taken, not saved yet. */
    public void duplicate() {
        ProfileSpec copy = spec();
        selected.set(null);
        original = null;
        fill(new ProfileSpec(unusedName(copy.name() + "-copy"), copy.primaryUrl(), copy.replicaUrls(),
                copy.environment(), copy.pool(), copy.webhookUrl()));
        editable.set(true);
        dirty.set(true);
        refresh();
    }

    private String unusedName(String base) {
        List<String> taken = listing == null ? List.of() : listing.profiles().stream().map(ProfileSpec::name).toList();
        String n = base;
        for (int i = 2; taken.contains(n); i++) {
            n = base + "-" + i;
        }
        return n;
    }

    private void fill(ProfileSpec p) {
        loading = true;
        try {
            name.set(p.name());
            primary.set(p.primaryUrl() == null ? "" : p.primaryUrl());
            replicas.set(String.join("\n", p.replicaUrls()));
            environment.set(p.environment() == null ? DEFAULT_ENVIRONMENT : p.environment().name().toLowerCase(Locale.ROOT));
            Map<String, String> rest = new LinkedHashMap<>(p.pool());
            for (String f : POOL_SHOWN) {
                String v = rest.remove(f);
                pool.get(f).set(v == null ? "" : v);
            }
            otherPool = Map.copyOf(rest);
            webhook.set(p.webhookUrl() == null ? "" : p.webhookUrl());
        } finally {
            loading = false;
        }
    }

    /** The profile the form makes now. */
    public ProfileSpec spec() {
        List<String> reps = replicas.get().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        Map<String, String> poolNow = new LinkedHashMap<>(otherPool);
        pool.forEach((f, v) -> {
            if (!v.get().isBlank()) {
                poolNow.put(f, v.get().strip());
            }
        });
        Environment env = environment.get().equals(DEFAULT_ENVIRONMENT) ? null
                : Environment.valueOf(environment.get().toUpperCase(Locale.ROOT));
        return new ProfileSpec(name.get().strip(), blankToNull(primary.get()), reps, env, poolNow,
                blankToNull(webhook.get()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private void edited(ReadOnlyStringWrapper field, String value) {
        String v = value == null ? "" : value;
        if (loading || v.equals(field.get())) {
            return;
        }
        field.set(v);
        dirty.set(true);
        testPassed.set(null);
        testResult.set("");
        refresh();
    }

    public void setName(String v) {
        edited(name, v);
    }

    public void setPrimary(String v) {
        edited(primary, v);
    }

    public void setReplicas(String v) {
        edited(replicas, v);
    }

    public void setEnvironment(String v) {
        if (v != null && environments.contains(v)) {
            edited(environment, v);
        }
    }

    public void setPool(String field, String v) {
        ReadOnlyStringWrapper w = pool.get(field);
        if (w == null) {
            throw new IllegalArgumentException("not a pool field of the form: " + field);
        }
        edited(w, v);
    }

    public void setWebhook(String v) {
        edited(webhook, v);
    }

    /** Problems to their fields, the buttons' states, the switch note. */
    private void refresh() {
        Map<Field, List<String>> by = new EnumMap<>(Field.class);
        if (editable.get()) {
            ProfileSpec s = spec();
            for (String p : s.problems()) {
                by.computeIfAbsent(fieldOf(p), k -> new ArrayList<>()).add(p);
            }
            if (listing != null && listing.profiles().stream().anyMatch(p -> p.name().equals(s.name())
                    && (original == null || !original.name().equals(s.name())))) {
                by.computeIfAbsent(Field.NAME, k -> new ArrayList<>()).add("name '" + s.name()
                        + "' is taken by another profile; choose another");
            }
        }
        problems.forEach((f, w) -> w.set(String.join("\n", by.getOrDefault(f, List.of()))));
        valid.set(by.isEmpty());
        boolean inFile = original != null;
        Item sel = selected.get();
        canSave.set(editable.get() && valid.get() && dirty.get());
        canDelete.set(inFile && !original.name().equals(actions.active()));
        boolean launchLine = sel != null && sel.launch();
        boolean isActive = launchLine ? actions.active() == null : inFile && original.name().equals(actions.active());
        canSwitch.set(!isActive && (launchLine || (inFile && !dirty.get() && valid.get())));
        switchNote.set(isActive ? "the console runs on it now" : dirty.get() && editable.get() ? "save it to switch to it" : "");
    }

    /** Which field a problem line of {@link ProfileSpec#problems} speaks of, from its first words. */
    static Field fieldOf(String problem) {
        String p = problem.toLowerCase(Locale.ROOT).stripLeading();
        if (p.startsWith("primary")) {
            return Field.PRIMARY;
        }
        if (p.startsWith("replica")) {
            return Field.REPLICAS;
        }
        if (p.startsWith("environment")) {
            return Field.ENVIRONMENT;
        }
        if (p.startsWith("pool")) {
            return Field.POOL;
        }
        if (p.startsWith("webhook") || p.startsWith("alerts")) {
            return Field.WEBHOOK;
        }
        return Field.NAME;
    }

    /** Saves the form (a new profile, or the selected one, renamed if its name changed). */
    public void save() {
        if (!canSave.get()) {
            return;
        }
        ProfileSpec s = spec();
        busy.set(true);
        actions.save(s, original == null ? null : original.name(), listing.stamp(), e -> {
            busy.set(false);
            if (e.problem().isPresent()) {
                // the edit stays in the form
                status.set("Not saved: " + e.problem().get());
                if (e.listing() != null) {
                    listing = e.listing();
                }
                return;
            }
            status.set("Saved profile '" + s.name() + "' to " + actions.file());
            show(e.listing(), s.name());
        });
    }

    public void delete() {
        if (!canDelete.get()) {
            return;
        }
        String n = original.name();
        busy.set(true);
        actions.delete(n, listing.stamp(), e -> {
            busy.set(false);
            if (e.problem().isPresent()) {
                status.set("Not deleted: " + e.problem().get());
                return;
            }
            status.set("Deleted profile '" + n + "'");
            show(e.listing(), actions.active());
        });
    }

    public void makeDefault() {
        if (original == null) {
            return;
        }
        String n = original.name();
        busy.set(true);
        actions.makeDefault(n, listing.stamp(), e -> {
            busy.set(false);
            if (e.problem().isPresent()) {
                status.set("Default not changed: " + e.problem().get());
                return;
            }
            status.set("'" + n + "' is the default profile: `pgpulse` opens on it");
            show(e.listing(), n);
        });
    }

    /** Tests the form's profile, with the typed password when one is asked for (null: none typed). */
    public void test(String password) {
        if (!valid.get() && editable.get()) {
            return;
        }
        ProfileSpec s = spec();
        busy.set(true);
        testResult.set("Testing " + (s.primaryUrl() == null ? "the embedded PostgreSQL" : s.name()) + "…");
        testPassed.set(null);
        actions.test(s, emptyToNull(password), r -> {
            busy.set(false);
            testPassed.set(r.ok());
            testResult.set(r.summary());
            askPassword(r.needsPassword(), r.endpoints().stream().filter(ConnectionTest.EndpointResult::needsPassword)
                    .map(ConnectionTest.EndpointResult::displayTarget).findFirst().orElse(s.name()));
        });
    }

    /** Switches the console to the selected profile (or back to the target PgPulse started on). */
    public void switchTo(String password) {
        if (!canSwitch.get()) {
            return;
        }
        Item sel = selected.get();
        String target = sel == null || sel.launch() ? null : sel.name();
        busy.set(true);
        status.set("Switching to " + shown(target) + "…");
        actions.switchTo(target, emptyToNull(password), r -> {
            busy.set(false);
            if (r.problem().isEmpty()) {
                status.set("The console runs on " + shown(target));
                switched.set(target == null ? "" : target);
                return;
            }
            status.set("Could not switch to " + shown(target) + ": " + r.problem().get() + "; still on "
                    + shown(actions.active()));
            askPassword(r.needsPassword(), shown(target));
        });
    }

    private void askPassword(boolean wanted, String what) {
        passwordWanted.set(wanted);
        passwordPrompt.set(wanted ? "Password for " + what + " (memory only, never saved):" : "");
    }

    private String shown(String profile) {
        return profile == null ? "the target PgPulse was started on" : "profile '" + profile + "'";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public ObservableList<Item> items() {
        return items;
    }

    public ObservableList<String> environments() {
        return environments;
    }

    public ReadOnlyObjectProperty<Item> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty nameProperty() {
        return name.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty primaryProperty() {
        return primary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty replicasProperty() {
        return replicas.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty environmentProperty() {
        return environment.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty poolProperty(String field) {
        return pool.get(field).getReadOnlyProperty();
    }

    public ReadOnlyStringProperty webhookProperty() {
        return webhook.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty problemProperty(Field f) {
        return problems.get(f).getReadOnlyProperty();
    }

    public String problem(Field f) {
        return problems.get(f).get();
    }

    public ReadOnlyBooleanProperty editableProperty() {
        return editable.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSaveProperty() {
        return canSave.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canDeleteProperty() {
        return canDelete.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSwitchProperty() {
        return canSwitch.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty switchNoteProperty() {
        return switchNote.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty testResultProperty() {
        return testResult.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Boolean> testPassedProperty() {
        return testPassed.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty passwordWantedProperty() {
        return passwordWanted.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty passwordPromptProperty() {
        return passwordPrompt.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty fileProperty() {
        return fileText.getReadOnlyProperty();
    }

    /** Set once a switch succeeded: the profile's name, or "" for the launch target. */
    public ReadOnlyObjectProperty<String> switchedProperty() {
        return switched.getReadOnlyProperty();
    }

    Optional<ProfileStore.Listing> listing() {
        return Optional.ofNullable(listing);
    }
}
