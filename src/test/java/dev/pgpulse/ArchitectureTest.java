package dev.pgpulse;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.library.GeneralCodingRules.ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.USE_JAVA_UTIL_LOGGING;

/** The rules DESIGN.md states, checked on the compiled classes so they cannot drift. */
@AnalyzeClasses(packages = "dev.pgpulse", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreDoesNotImportJavaFx = noClasses()
            .that().resideInAPackage("dev.pgpulse..")
            .and().resideOutsideOfPackage("dev.pgpulse.ui..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "eu.hansolo..", "org.controlsfx..")
            .because("the core runs headless in the agent and the CLI");

    @ArchTest
    static final ArchRule onlyTheCliWritesToTheTerminal = noClasses()
            .that().resideOutsideOfPackage("dev.pgpulse.cli..")
            .should(ACCESS_STANDARD_STREAMS)
            .because("everything else logs through SLF4J");

    @ArchTest
    static final ArchRule slf4jOnly = noClasses().should(USE_JAVA_UTIL_LOGGING);

    @ArchTest
    static final ArchRule coreDoesNotReachIntoTheFaces = noClasses()
            .that().resideInAnyPackage("dev.pgpulse.config..", "dev.pgpulse.pool..", "dev.pgpulse.embedded..",
                    "dev.pgpulse.resilience..", "dev.pgpulse.service..", "dev.pgpulse.demo..", "dev.pgpulse.health..",
                    "dev.pgpulse.orchestration..", "dev.pgpulse.query..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.pgpulse.cli..", "dev.pgpulse.ui..",
                    "dev.pgpulse.agent..");

    @ArchTest
    static final ArchRule resilienceDoesNotDependOnTheService = noClasses()
            .that().resideInAPackage("dev.pgpulse.resilience..")
            .should().dependOnClassesThat().resideInAPackage("dev.pgpulse.service..")
            .because("the service is built on the guard, not the other way round");

    /** The console's tabs meet only in the shell (ui.shell) and the composition (ui root), never each other. */
    @ArchTest
    static final ArchRule consoleTabsDoNotKnowEachOther = slices().matching("dev.pgpulse.ui.(*)..")
            .should().notDependOnEachOther()
            .ignoreDependency(alwaysTrue(), resideInAnyPackage("dev.pgpulse.ui.shell..", "dev.pgpulse.ui.fx.."))
            .because("a tab is added by one line in ConsoleTabs and removed as easily");

    @ArchTest
    static final ArchRule consoleReachesTheCoreOnlyThroughTheOrchestrator = noClasses()
            .that().resideInAPackage("dev.pgpulse.ui..")
            .should().dependOnClassesThat().resideInAPackage("java.sql..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgpulse.service.DatabaseService")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.pgpulse.pool.Endpoints")
            .because("views ask through ConsoleActions and read Snapshots; they never run SQL or hold the pools");

    /** A view model's JavaFX properties are private, exposed read-only: only the view model sets them. */
    @ArchTest
    static final ArchRule viewModelPropertiesArePrivate = fields()
            .that().areDeclaredInClassesThat().haveSimpleNameEndingWith("ViewModel")
            .and().haveRawType(assignableTo(javafx.beans.property.Property.class))
            .should().bePrivate()
            .because("views bind to ReadOnly*Property accessors; a value is set by the view model alone");

    /** The console's views, their rows and tiles, and the window (nested classes too). */
    private static final String VIEWS = "dev\\.pgpulse\\.ui\\.(.*\\.)?(\\w+View|\\w+Row|Tiles|ConsoleWindow)(\\$.*)?";

    @ArchTest
    static final ArchRule viewsDoNotFormat = noClasses()
            .that().haveNameMatching(VIEWS)
            .should().dependOnClassesThat().haveFullyQualifiedName("dev.pgpulse.ui.Format")
            .because("all formatting lives in the view model: a view binds ready-to-show text");
}
