package dev.agentwire.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout docs/ARCHITECTURE.md draws, checked over the compiled classes: the kernel imports no feature, a feature
 * uses another only through the services it provides, no package cycles, and no Netty in the protocol or the core.
 */
class ArchitectureTest {

    private static final String CORE = "dev.agentwire.core";

    /** The kernel's packages (under dev.agentwire.core; "" is the package itself). */
    static final Set<String> KERNEL =
            Set.of("", "rpc", "interceptors", "auth", "audit", "events", "policy", "patterns", "relay");

    /** Each feature, and the classes of other features it may use: their provided services and what those return. */
    static final Map<String, Set<String>> FEATURES = Map.of(
            "hub", Set.of(),
            "sessions", Set.of(),
            "tools", Set.of("sessions.SessionManager", "sessions.Session"),
            "catalog", Set.of("sessions.SessionManager", "sessions.Session"),
            "services", Set.of(),
            "rooms", Set.of(),
            "terminals", Set.of(),
            "router", Set.of(),
            "git", Set.of(),
            "calls", Set.of("sessions.SessionManager", "sessions.Session"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // The modules' test-jars (the core's contract tests) are on this classpath too: tests, not code.
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages(
                        "dev.agentwire.protocol", "dev.agentwire.core", "dev.agentwire.netty", "dev.agentwire.server");
    }

    /** The part of agentwire-core a class is in: "kernel", a feature's name, or null outside the core. */
    static String partOf(JavaClass c) {
        String p = c.getPackageName();
        if (!p.equals(CORE) && !p.startsWith(CORE + ".")) {
            return null;
        }
        String sub = p.equals(CORE) ? "" : p.substring(CORE.length() + 1).split("\\.")[0];
        return KERNEL.contains(sub) ? "kernel" : sub;
    }

    @Test
    void everyPackageOfTheCoreIsTheKernelOrAKnownFeature() {
        for (JavaClass c : classes) {
            String part = partOf(c);
            if (part != null && !part.equals("kernel") && !FEATURES.containsKey(part)) {
                throw new AssertionError(c.getName() + " is in " + c.getPackageName()
                        + ", neither the kernel nor a feature this test knows: add it to KERNEL or FEATURES");
            }
        }
    }

    @Test
    void theKernelImportsNoFeature() {
        noClasses()
                .that(part("the kernel", "kernel"::equals))
                .should()
                .dependOnClassesThat(part("a feature", FEATURES::containsKey))
                .check(classes);
    }

    @Test
    void aFeatureUsesAnotherOnlyThroughTheServicesItProvides() {
        for (String feature : FEATURES.keySet()) {
            Set<String> allowed = FEATURES.get(feature);
            noClasses()
                    .that(part("the feature " + feature, feature::equals))
                    .should()
                    .dependOnClassesThat(new DescribedPredicate<JavaClass>("another feature's internals " + allowed) {
                        @Override
                        public boolean test(JavaClass target) {
                            String part = partOf(target);
                            if (part == null || part.equals("kernel") || part.equals(feature)) {
                                return false;
                            }
                            String name = target.getName().substring(CORE.length() + 1);
                            int nested = name.indexOf('$');
                            return !allowed.contains(nested < 0 ? name : name.substring(0, nested));
                        }
                    })
                    .check(classes);
        }
    }

    @Test
    void theKernelAndTheFeaturesHaveNoCycles() {
        slices().assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass c) {
                        String part = partOf(c);
                        return part == null ? SliceIdentifier.ignore() : SliceIdentifier.of(part);
                    }

                    @Override
                    public String getDescription() {
                        return "the kernel and each feature of agentwire-core";
                    }
                })
                .should()
                .beFreeOfCycles()
                .check(classes);
    }

    @Test
    void theServerHasNoPackageCycles() {
        slices().matching("dev.agentwire.server.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theProtocolAndTheCoreDoNotUseNetty() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.agentwire.protocol..", "dev.agentwire.core..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.netty..")
                .check(classes);
    }

    private static DescribedPredicate<JavaClass> part(String description, java.util.function.Predicate<String> test) {
        return new DescribedPredicate<JavaClass>(description) {
            @Override
            public boolean test(JavaClass c) {
                String part = partOf(c);
                return part != null && test.test(part);
            }
        };
    }
}
