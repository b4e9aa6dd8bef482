package org.medv.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The API keys the gateway accepts ({@code medv.gateway.api-keys-file}): one key per line, blank lines and lines
 * starting with {@code #} ignored, surrounding whitespace trimmed. Only SHA-256 digests are held, and a presented key
 * is compared with every one of them in constant time ({@link MessageDigest#isEqual}), so neither the comparison's
 * duration nor a log line reveals a key. A key is named by its line ({@code key at line 3}) wherever one must be named.
 */
final class ApiKeys {
    /** Shorter keys are refused: they could be guessed. */
    static final int MIN_CHARS = 16;

    private final List<byte[]> digests;
    private final List<String> names;

    private ApiKeys(List<byte[]> digests, List<String> names) {
        this.digests = digests;
        this.names = names;
    }

    /** Reads and checks the file; an unreadable file, a bad line or no key at all fail with the line's number. */
    static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("medv.gateway.api-keys-file: cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return parse(lines, file.toString());
    }

    static ApiKeys parse(List<String> lines, String source) {
        List<byte[]> digests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String key = lines.get(i).strip();
            if (key.isEmpty() || key.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            if (key.length() < MIN_CHARS) {
                throw new IllegalArgumentException("medv.gateway.api-keys-file: the key at " + where + " has "
                        + key.length() + " characters, fewer than " + MIN_CHARS);
            }
            if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("medv.gateway.api-keys-file: the key at " + where
                        + " has a space or a character outside printable ASCII (an HTTP header cannot carry it)");
            }
            digests.add(sha256(key));
            names.add("key at line " + (i + 1));
        }
        if (digests.isEmpty()) {
            throw new IllegalArgumentException("medv.gateway.api-keys-file: " + source + " holds no key (one per "
                    + "line; blank lines and # comments are ignored)");
        }
        return new ApiKeys(List.copyOf(digests), List.copyOf(names));
    }

    int size() {
        return digests.size();
    }

    /**
     * The accepted key's name for an {@code Authorization} value ({@code Bearer KEY}), or empty when it is missing,
     * malformed or not a key of the file. Every key is compared, whichever matches.
     */
    Optional<String> check(String authorization) {
        String presented = bearer(authorization);
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        int found = -1;
        for (int i = 0; i < digests.size(); i++) {
            if (MessageDigest.isEqual(digests.get(i), digest) && found < 0) {
                found = i;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(names.get(found));
    }

    /** The credentials of {@code Bearer <token>} (the scheme case-insensitive, RFC 7235), or null. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String v = authorization.strip();
        int space = v.indexOf(' ');
        if (space < 0 || !v.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return null;
        }
        String token = v.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
