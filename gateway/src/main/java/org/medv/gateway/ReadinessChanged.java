package org.medv.gateway;

/** A CDI event: something the gateway's readiness depends on changed ({@link ServingGate} re-evaluates). */
public record ReadinessChanged() {
}
