package org.medv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.junit.jupiter.api.Test;

/** The strict binding itself: what it must refuse, so that the overlay tests mean something. */
class ApiTypesTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
                    - name: c
                      image: x:1
                      %s
            """;

    @Test
    void bindsAValidDeployment() {
        var d = ApiTypes.bind(Kustomize.parse(
                DEPLOYMENT.formatted("readinessProbe: {httpGet: {path: /q/health/ready, port: 8080}}")).get(0));
        assertInstanceOf(Deployment.class, d);
        assertEquals("/q/health/ready", ((Deployment) d).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getReadinessProbe().getHttpGet().getPath());
    }

    @Test
    void checksAStatefulSetsClaimTemplatesToo() {
        String set = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: s}
                spec:
                  serviceName: h
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec: {containers: [{name: c, image: "x:1", volumeMounts: [{name: v, mountPath: /v}]}]}
                  volumeClaimTemplates:
                    - metadata: {name: v}
                      spec: {%s: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """;
        var s = ApiTypes.bind(Kustomize.parse(set.formatted("accessModes")).get(0));
        assertInstanceOf(StatefulSet.class, s);
        assertEquals("ReadWriteOnce",
                ((StatefulSet) s).getSpec().getVolumeClaimTemplates().get(0).getSpec().getAccessModes().get(0));
        var e = assertThrows(IllegalArgumentException.class,
                () -> ApiTypes.bind(Kustomize.parse(set.formatted("accesModes")).get(0)));
        assertTrue(e.getMessage().contains("accesModes"), e.getMessage());
    }

    @Test
    void refusesAMisspeltField() {
        var e = assertThrows(IllegalArgumentException.class, () -> ApiTypes.bind(Kustomize.parse(
                DEPLOYMENT.formatted("readinesProbe: {httpGet: {path: /q/health/ready, port: 8080}}")).get(0)));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());
    }

    @Test
    void refusesAFieldOfTheWrongType() {
        assertThrows(IllegalArgumentException.class, () -> ApiTypes.bind(Kustomize.parse(
                DEPLOYMENT.formatted("ports: {containerPort: 8080}")).get(0)));
    }

    @Test
    void refusesAnApiVersionTheTypeDoesNotHave() {
        var e = assertThrows(IllegalArgumentException.class, () -> ApiTypes.bind(Kustomize.parse(
                DEPLOYMENT.replace("apps/v1", "apps/v1beta1").formatted("")).get(0)));
        assertTrue(e.getMessage().contains("expected apps/v1"), e.getMessage());
    }

    @Test
    void checksStrimziResourcesToo() {
        String topic = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: t, labels: {strimzi.io/cluster: medv}}
                spec: {topicName: medv.scores, partitions: 3, %s: 3, config: {cleanup.policy: compact}}
                """;
        assertInstanceOf(KafkaTopic.class, ApiTypes.bind(Kustomize.parse(topic.formatted("replicas")).get(0)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> ApiTypes.bind(Kustomize.parse(topic.formatted("replication")).get(0)));
        assertTrue(e.getMessage().contains("replication"), e.getMessage());
        String pool = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaNodePool
                metadata: {name: p, labels: {strimzi.io/cluster: medv}}
                spec: {replicas: 3, roles: [%s], storage: {type: ephemeral}}
                """;
        ApiTypes.bind(Kustomize.parse(pool.formatted("broker")).get(0));
        assertThrows(IllegalArgumentException.class,
                () -> ApiTypes.bind(Kustomize.parse(pool.formatted("brokers")).get(0)));
    }

    @Test
    void refusesAnUnknownKind() {
        assertThrows(IllegalArgumentException.class, () -> ApiTypes.bind(Kustomize.parse(
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n").get(0)));
    }
}
