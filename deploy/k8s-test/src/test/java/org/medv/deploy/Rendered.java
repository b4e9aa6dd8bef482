package org.medv.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** One rendered kustomization, bound to the API types, with the look-ups the tests share. */
record Rendered(String name, List<HasMetadata> objects) {

    private static final Map<String, Rendered> RENDERED = new java.util.concurrent.ConcurrentHashMap<>();

    /** deploy/k8s/{@code dir} rendered and bound once per test JVM (the objects are only read). */
    static Rendered of(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> new Rendered(d, ApiTypes.bindAll(Kustomize.render(d))));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(this.name + ": no " + type.getSimpleName() + " "
                + name + " among " + all(type).stream().map(o -> o.getMetadata().getName()).toList()));
    }

    Deployment deployment(String name) {
        return get(Deployment.class, name);
    }

    static PodSpec pod(Deployment d) {
        return d.getSpec().getTemplate().getSpec();
    }

    static io.fabric8.kubernetes.api.model.Volume volume(Deployment d, String name) {
        return pod(d).getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(d.getMetadata().getName() + ": no volume " + name));
    }

    static Container container(Deployment d) {
        return pod(d).getContainers().get(0);
    }

    static Stream<Container> allContainers(Deployment d) {
        return Stream.concat(pod(d).getInitContainers().stream(), pod(d).getContainers().stream());
    }

    /** The environment a Deployment's main container sees from its ConfigMaps (envFrom, in order) and env values. */
    Map<String, String> environment(Deployment d) {
        Map<String, String> env = new HashMap<>();
        Container c = container(d);
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(get(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
        }
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }
}
