package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints the images' Dockerfiles without a Docker engine: pinned bases, a non-root user, the service's own ports,
 * documented probes, quarkus-run.jar as the entry point, and COPY sources that `mvn package` produces (checked on
 * disk when the module's target/quarkus-app exists, as it does when this module runs after the services in the
 * reactor).
 */
class DockerfileLintTest {

    static final List<String> MODULES = List.of("gateway", "vision-service", "denoiser-service", "evaluator-service");
    static final Set<String> FAST_JAR = Set.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
            "target/quarkus-app/app/", "target/quarkus-app/quarkus/");

    /** module/src/main/docker/Dockerfile.* of every service. */
    static Stream<Path> serviceDockerfiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String module : MODULES) {
            try (Stream<Path> s = Files.list(Repo.path(module).resolve("src/main/docker"))) {
                s.filter(p -> p.getFileName().toString().matches("Dockerfile\\.(jvm|gpu)")).sorted()
                        .forEach(files::add);
            }
        }
        return files.stream();
    }

    static Stream<Path> allDockerfiles() throws IOException {
        return Stream.concat(serviceDockerfiles(), Stream.of(Repo.path("deploy/demo-model/Dockerfile")));
    }

    @Test
    void everyServiceHasAJvmImageAndVisionAndDenoiserAGpuImage() throws IOException {
        Set<String> found = serviceDockerfiles().map(p -> Repo.root().relativize(p).toString())
                .collect(Collectors.toSet());
        for (String m : MODULES) {
            assertTrue(found.contains(m + "/src/main/docker/Dockerfile.jvm"), m);
        }
        assertEquals(Set.of("vision-service/src/main/docker/Dockerfile.gpu",
                        "denoiser-service/src/main/docker/Dockerfile.gpu"),
                found.stream().filter(f -> f.endsWith(".gpu")).collect(Collectors.toSet()));
    }

    @ParameterizedTest
    @MethodSource("allDockerfiles")
    void basesArePinnedByTagAndTheUserIsNotRoot(Path path) {
        Dockerfile f = Dockerfile.read(path);
        Set<String> stages = new HashSet<>();
        for (Dockerfile.Instruction from : f.all("FROM")) {
            List<String> w = Dockerfile.words(from.args()).stream().filter(x -> !x.startsWith("--")).toList();
            String image = w.get(0);
            if (!stages.contains(image)) {
                String last = image.substring(image.lastIndexOf('/') + 1);
                assertTrue(last.contains(":") || image.contains("@sha256:"),
                        path + ":" + from.line() + " untagged " + image);
                assertFalse(image.endsWith(":latest"), path + ":" + from.line() + " " + image);
            }
            if (w.size() == 3 && w.get(1).equalsIgnoreCase("AS")) {
                stages.add(w.get(2));
            }
        }
        List<Dockerfile.Instruction> users = f.finalStage().stream().filter(i -> i.keyword().equals("USER")).toList();
        assertFalse(users.isEmpty(), path + ": no USER in the final stage");
        String user = users.get(users.size() - 1).args().split(":")[0];
        assertFalse(Set.of("root", "0").contains(user), path + ": runs as " + user);
    }

    @ParameterizedTest
    @MethodSource("serviceDockerfiles")
    void exposesTheServicePortsAndDocumentsTheProbes(Path path) throws IOException {
        Dockerfile f = Dockerfile.read(path);
        String module = module(path);
        Set<Integer> exposed = f.all("EXPOSE").stream().flatMap(i -> Dockerfile.words(i.args()).stream())
                .map(p -> Integer.parseInt(p.replace("/tcp", ""))).collect(Collectors.toSet());
        assertEquals(servicePorts(module), exposed, path + " EXPOSE against " + module + "'s application.properties");
        boolean documented = Stream.of("/q/health/started", "/q/health/ready", "/q/health/live")
                .allMatch(f.comments()::contains);
        assertTrue(!f.all("HEALTHCHECK").isEmpty() || documented, path + ": HEALTHCHECK or the probes documented");
    }

    @ParameterizedTest
    @MethodSource("serviceDockerfiles")
    void runsQuarkusRunJarOffline(Path path) {
        Dockerfile f = Dockerfile.read(path);
        List<Dockerfile.Instruction> entry = f.finalStage().stream().filter(i -> i.keyword().equals("ENTRYPOINT"))
                .toList();
        assertEquals(1, entry.size(), path + ": one ENTRYPOINT");
        Map<String, String> env = f.env();
        String e = entry.get(0).args();
        boolean runJava = e.contains("run-java.sh") && "/deployments/quarkus-run.jar".equals(env.get("JAVA_APP_JAR"));
        assertTrue(e.contains("/deployments/quarkus-run.jar") || runJava,
                path + ": ENTRYPOINT " + e + " does not run quarkus-run.jar");
        String opts = env.getOrDefault("JAVA_OPTS", "") + " " + env.getOrDefault("JAVA_OPTS_APPEND", "");
        assertTrue(opts.contains("-Dai.djl.offline=true"), path + ": DJL must never download (" + opts + ")");
    }

    @ParameterizedTest
    @MethodSource("serviceDockerfiles")
    void copiesTheFastJarThatMvnPackageWrites(Path path) throws IOException {
        Dockerfile f = Dockerfile.read(path);
        Path module = Repo.path(module(path));
        Set<String> sources = new HashSet<>();
        for (Dockerfile.Instruction copy : f.finalStage()) {
            if (!Set.of("COPY", "ADD").contains(copy.keyword())) {
                continue;
            }
            List<String> w = Dockerfile.words(copy.args());
            if (w.stream().anyMatch(x -> x.startsWith("--from="))) {
                continue;
            }
            assertEquals("COPY", copy.keyword(), path + ":" + copy.line() + " ADD fetches and unpacks: use COPY");
            sources.addAll(w.stream().filter(x -> !x.startsWith("--")).toList().subList(0, (int) w.stream()
                    .filter(x -> !x.startsWith("--")).count() - 1));
        }
        assertEquals(FAST_JAR, sources, path + ": the four layers of Quarkus' fast-jar");
        Path app = module.resolve("target/quarkus-app");
        if (Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            for (String s : List.of("lib/main", "app", "quarkus", "quarkus-run.jar")) {
                assertTrue(Files.exists(app.resolve(s)), app.resolve(s) + " after mvn package");
            }
        } else {
            System.out.println(path + ": " + app + " not built here; checked the COPY sources by name only");
        }
        Path ignore = path.resolveSibling(path.getFileName() + ".dockerignore");
        List<String> rules = Files.readAllLines(ignore).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        assertEquals(List.of("*", "!target/quarkus-app/*"), rules, ignore + ": only the fast-jar enters the context");
    }

    @ParameterizedTest
    @MethodSource("gpuDockerfiles")
    void gpuImagesLoadLibtorchForCuda128(Path path) throws IOException {
        Dockerfile f = Dockerfile.read(path);
        String pytorch = rootPomProperty("pytorch.native.version");
        String base = f.finalStage().get(0).args();
        assertTrue(base.matches("nvidia/cuda:12\\.8\\.\\d+-(cudnn-)?runtime-ubuntu\\d+\\.\\d+"), path + ": " + base);
        Map<String, String> env = f.env();
        assertEquals("cu128", env.get("PYTORCH_FLAVOR"));
        assertEquals(pytorch, env.get("PYTORCH_VERSION"));
        String url = f.args().get("LIBTORCH_URL");
        assertTrue(url.startsWith("https://download.pytorch.org/libtorch/cu128/")
                && url.contains("-" + pytorch + "%2Bcu128.zip"), path + ": " + url);
        String lib = env.get("PYTORCH_LIBRARY_PATH");
        assertTrue(f.finalStage().stream().anyMatch(i -> i.keyword().equals("COPY")
                && i.args().startsWith("--from=libtorch") && i.args().strip().endsWith(lib + "/")),
                path + ": libtorch copied into " + lib);
        // the cu128 JNI library DJL extracts must be in the packaged pytorch-jni, for this PyTorch version
        Path libMain = Repo.path(module(path)).resolve("target/quarkus-app/lib/main");
        if (Files.isDirectory(libMain)) {
            try (Stream<Path> s = Files.list(libMain)) {
                Path jni = s.filter(p -> p.getFileName().toString().startsWith("ai.djl.pytorch.pytorch-jni-"))
                        .findFirst().orElseThrow(() -> new AssertionError("no pytorch-jni in " + libMain));
                try (var jar = new java.util.jar.JarFile(jni.toFile())) {
                    assertTrue(jar.getEntry("jnilib/linux-x86_64/cu128/libdjl_torch.so") != null,
                            jni + ": no cu128 JNI");
                    Properties p = new Properties();
                    try (InputStream in = jar.getInputStream(jar.getEntry("jnilib/pytorch.properties"))) {
                        p.load(in);
                    }
                    assertTrue(p.getProperty("jni_version").startsWith(pytorch + "-"), jni + ": " + p);
                }
            }
        }
    }

    static Stream<Path> gpuDockerfiles() throws IOException {
        return serviceDockerfiles().filter(p -> p.getFileName().toString().equals("Dockerfile.gpu"));
    }

    @Test
    void theDemoModelImageCarriesTheDemoModel() {
        Dockerfile f = Dockerfile.read(Repo.path("deploy/demo-model/Dockerfile"));
        List<String> copy = Dockerfile.words(f.all("COPY").get(0).args());
        assertEquals(List.of(".", "/model/demo/"), copy.subList(copy.size() - 2, copy.size()));
        for (String file : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(Repo.path("models/demo").resolve(file)), "models/demo/" + file);
        }
    }

    @Test
    void theWorkloadsOpenTheSamePortsTheImagesExpose() {
        Rendered demo = Rendered.of("overlays/demo");
        for (String module : MODULES) {
            assertEquals(servicePorts(module), OverlaysTest.ports(demo, module), module);
        }
    }

    /** quarkus.grpc.server.port and quarkus.http.port of the module's application.properties. */
    static Set<Integer> servicePorts(String module) {
        Properties p = new Properties();
        Path file = Repo.path(module).resolve("src/main/resources/application.properties");
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Stream.of("quarkus.grpc.server.port", "quarkus.http.port").map(p::getProperty)
                .filter(v -> v != null).map(Integer::parseInt).collect(Collectors.toSet());
    }

    static String module(Path dockerfile) {
        return Repo.root().relativize(dockerfile).getName(0).toString();
    }

    static String rootPomProperty(String name) throws IOException {
        String pom = Files.readString(Repo.path("pom.xml"));
        var m = java.util.regex.Pattern.compile("<" + java.util.regex.Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1).strip();
    }
}
