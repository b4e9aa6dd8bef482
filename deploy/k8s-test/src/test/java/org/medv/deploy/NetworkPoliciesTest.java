package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.strimzi.api.kafka.model.kafka.Kafka;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medv.deploy.Rendered.Workload;

/**
 * Who may reach whom, read from the NetworkPolicies as Kubernetes combines them (the union of every policy that
 * selects a pod): only the gateway from outside, the model services only from the gateway, Kafka egress.
 */
class NetworkPoliciesTest {

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void onlyTheGatewayIsReachableAndTheModelServicesOnlyFromIt(String dir) {
        Rendered r = Rendered.of(dir);
        List<NetworkPolicy> policies = r.all(NetworkPolicy.class);
        NetworkPolicy deny = r.get(NetworkPolicy.class, "medv-default-deny");
        assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(deny.getSpec().getPolicyTypes()));
        assertTrue(deny.getSpec().getIngress().isEmpty() && deny.getSpec().getEgress().isEmpty());

        for (Workload w : r.workloads()) {
            String name = w.name();
            Map<String, String> pod = w.podLabels();
            assertTrue(selects(deny.getSpec().getPodSelector(), pod), name + " is under the default deny");
            List<NetworkPolicyIngressRule> ingress = policies.stream()
                    .filter(p -> selects(p.getSpec().getPodSelector(), pod))
                    .flatMap(p -> p.getSpec().getIngress().stream()).toList();
            switch (name) {
                case "gateway" -> {
                    assertTrue(ingress.stream().allMatch(rule -> rule.getFrom().isEmpty()), "gateway: from anywhere");
                    assertTrue(ports(ingress).contains(9000), "gateway: gRPC 9000 open");
                }
                case "vision-service", "denoiser-service" -> {
                    assertTrue(!ingress.isEmpty(), name);
                    for (NetworkPolicyIngressRule rule : ingress) {
                        assertEquals(1, rule.getFrom().size(), name);
                        NetworkPolicyPeer peer = rule.getFrom().get(0);
                        assertEquals(null, peer.getNamespaceSelector(), name + ": same namespace only");
                        assertEquals(Map.of("app.kubernetes.io/name", "gateway"),
                                peer.getPodSelector().getMatchLabels(), name);
                    }
                    int grpc = w.container().getPorts().get(0).getContainerPort();
                    assertEquals(Set.of(grpc), ports(ingress), name + ": the gRPC port only");
                }
                default -> assertTrue(ingress.isEmpty(), name + ": no ingress (reports through kubectl port-forward)");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/demo", "overlays/gpu"})
    void kafkaClientsMayReachTheBrokersAndOnlyMedvReachesTheListener(String dir) {
        Rendered r = Rendered.of(dir);
        Kafka kafka = r.all(Kafka.class).get(0);
        Map<String, String> broker = Map.of("strimzi.io/cluster", kafka.getMetadata().getName(),
                "strimzi.io/broker-role", "true", "strimzi.io/kind", "Kafka");
        for (String client : List.of("gateway", "denoiser-service", "evaluator-service")) {
            Map<String, String> pod = r.workload(client).podLabels();
            boolean egress = r.all(NetworkPolicy.class).stream()
                    .filter(p -> selects(p.getSpec().getPodSelector(), pod))
                    .flatMap(p -> p.getSpec().getEgress().stream())
                    .anyMatch(rule -> rule.getPorts().stream().anyMatch(port -> port.getPort().getIntVal() == 9092)
                            && rule.getTo().stream().anyMatch(peer -> selects(peer.getPodSelector(), broker)));
            assertTrue(egress, dir + " " + client + ": egress to the Kafka brokers on 9092");
        }
        List<NetworkPolicyPeer> peers = kafka.getSpec().getKafka().getListeners().get(0).getNetworkPolicyPeers();
        assertEquals(Map.of("app.kubernetes.io/part-of", "medv"), peers.get(0).getPodSelector().getMatchLabels());
        r.workloads().forEach(w -> assertEquals("medv", w.podLabels().get("app.kubernetes.io/part-of"), w.name()));
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null && selector.getMatchExpressions().isEmpty()
                && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    static Set<Integer> ports(List<NetworkPolicyIngressRule> rules) {
        return rules.stream().flatMap(rule -> rule.getPorts().stream()).map(NetworkPolicyPort::getPort)
                .map(p -> p.getIntVal()).collect(Collectors.toSet());
    }
}
