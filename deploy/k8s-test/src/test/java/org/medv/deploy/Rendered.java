package org.medv.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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

    /** Every object that runs pods (Deployments and StatefulSets), in rendering order. */
    List<Workload> workloads() {
        return objects.stream().map(Workload::of).flatMap(Optional::stream).toList();
    }

    Workload workload(String name) {
        return workloads().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
                this.name + ": no workload " + name + " among " + workloads().stream().map(Workload::name).toList()));
    }

    /** The environment a workload's main container sees from its ConfigMaps (envFrom, in order) and env values. */
    Map<String, String> environment(Workload w) {
        Map<String, String> env = new HashMap<>();
        Container c = w.container();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(get(ConfigMap.class, from.getConfigMapRef().getName()).getData());
            }
        }
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    /**
     * A Deployment or a StatefulSet seen through what the tests read of both: its pod template and, for a
     * StatefulSet, its per-pod claims (empty for a Deployment).
     */
    record Workload(HasMetadata object, PodTemplateSpec template, List<PersistentVolumeClaim> claimTemplates) {

        static Optional<Workload> of(HasMetadata o) {
            if (o instanceof Deployment d) {
                return Optional.of(new Workload(d, d.getSpec().getTemplate(), List.of()));
            }
            if (o instanceof StatefulSet s) {
                return Optional.of(new Workload(s, s.getSpec().getTemplate(), s.getSpec().getVolumeClaimTemplates()));
            }
            return Optional.empty();
        }

        String name() {
            return object.getMetadata().getName();
        }

        String kind() {
            return object.getKind();
        }

        Map<String, String> podLabels() {
            return template.getMetadata().getLabels();
        }

        PodSpec pod() {
            return template.getSpec();
        }

        Volume volume(String volume) {
            return pod().getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst()
                    .orElseThrow(() -> new AssertionError(name() + ": no volume " + volume));
        }

        /** What a container may mount: the pod's volumes and the StatefulSet's claim templates. */
        Set<String> mountableVolumes() {
            return Stream.concat(pod().getVolumes().stream().map(Volume::getName),
                    claimTemplates.stream().map(c -> c.getMetadata().getName())).collect(Collectors.toSet());
        }

        Container container() {
            return pod().getContainers().get(0);
        }

        Stream<Container> allContainers() {
            return Stream.concat(pod().getInitContainers().stream(), pod().getContainers().stream());
        }

        @Override
        public String toString() {
            return kind() + " " + name();
        }
    }
}
