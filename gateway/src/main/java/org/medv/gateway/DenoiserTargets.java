package org.medv.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the denoisers are ({@code medv.gateway.denoisers}): a static list {@code host:port,host:port}, or
 * {@code dns:///name:port}, every address the name resolves to (a Kubernetes headless Service has one A record per
 * ready pod), resolved again from time to time. Unset: the one denoiser of {@code quarkus.grpc.clients.denoiser}.
 */
record DenoiserTargets(List<Address> fixed, Address dnsName) {
    static final String KEY = "medv.gateway.denoisers";
    private static final String DNS = "dns:///";

    record Address(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Unset: empty. A malformed value fails here, naming the key and the part that is wrong. */
    static Optional<DenoiserTargets> parse(Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            return Optional.empty();
        }
        String v = value.get().trim();
        if (v.startsWith(DNS)) {
            return Optional.of(new DenoiserTargets(List.of(), address(v.substring(DNS.length()))));
        }
        List<Address> list = new ArrayList<>();
        for (String part : v.split(",")) {
            Address a = address(part.trim());
            if (list.contains(a)) {
                throw new IllegalArgumentException(KEY + " names " + a + " twice");
            }
            list.add(a);
        }
        return Optional.of(new DenoiserTargets(List.copyOf(list), null));
    }

    boolean dns() {
        return dnsName != null;
    }

    /** The addresses now: the list, or what the DNS name resolves to (each A/AAAA record with the name's port). */
    List<Address> resolve() throws UnknownHostException {
        if (!dns()) {
            return fixed;
        }
        return Arrays.stream(InetAddress.getAllByName(dnsName.host()))
                .map(ip -> new Address(ip.getHostAddress(), dnsName.port())).distinct().toList();
    }

    private static Address address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException(KEY + ": '" + hostPort + "' is not host:port (expected "
                    + "host:port,host:port or dns:///name:port)");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(KEY + ": the port of '" + hostPort + "' must be 1..65535");
        }
        return new Address(host, port);
    }
}
