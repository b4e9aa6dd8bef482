package org.medv.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {
    private static final String A = "medv-key-aaaaaaaaaaaaaaaa";
    private static final String B = "medv-key-bbbbbbbbbbbbbbbb";

    @Test
    void oneKeyPerLineCommentsAndBlankLinesIgnoredWhitespaceTrimmed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# ward 3 integration\n\n  " + A + "  \n\t\n# " + B + " (revoked)\n" + B + "\r\n");
        ApiKeys keys = ApiKeys.load(file);
        assertEquals(2, keys.size());
        assertEquals(Optional.of("key at line 3"), keys.check("Bearer " + A));
        assertEquals(Optional.of("key at line 6"), keys.check("bearer " + B), "the scheme is case-insensitive");
        assertEquals(Optional.of("key at line 3"), keys.check("  Bearer   " + A + " "));
    }

    @Test
    void onlyAKeyOfTheFileInABearerHeaderPasses() {
        ApiKeys keys = ApiKeys.parse(List.of(A), "keys");
        assertEquals(Optional.empty(), keys.check(null));
        assertEquals(Optional.empty(), keys.check(""));
        assertEquals(Optional.empty(), keys.check(A), "no scheme");
        assertEquals(Optional.empty(), keys.check("Basic " + A));
        assertEquals(Optional.empty(), keys.check("Bearer "));
        assertEquals(Optional.empty(), keys.check("Bearer " + A.substring(1)));
        assertEquals(Optional.empty(), keys.check("Bearer " + A + "x"));
        assertEquals(Optional.empty(), keys.check("Bearer " + B));
        assertTrue(keys.check("Bearer " + A).isPresent());
    }

    @Test
    void bearerTakesTheCredentials() {
        assertEquals("abc", ApiKeys.bearer("Bearer abc"));
        assertEquals("abc", ApiKeys.bearer("BEARER abc"));
        assertNull(ApiKeys.bearer("Bearerabc"));
        assertNull(ApiKeys.bearer("Token abc"));
        assertNull(ApiKeys.bearer(null));
    }

    @Test
    void aBadFileIsRefusedNamingTheLineNeverTheKey(@TempDir Path dir) {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("# c", A, "tooShortKey"), "keys"));
        assertEquals("medv.gateway.api-keys-file: the key at keys line 3 has 11 characters, fewer than 16",
                shortKey.getMessage());
        IllegalArgumentException space = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("two words in one key"), "keys"));
        assertTrue(space.getMessage().contains("keys line 1 has a space"), space.getMessage());
        assertFalse(space.getMessage().contains("two words"), "the key itself is never quoted");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("# only a comment", ""), "keys"));
        assertTrue(none.getMessage().contains("holds no key"), none.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.load(dir.resolve("absent")));
        assertTrue(missing.getMessage().startsWith("medv.gateway.api-keys-file: cannot read "), missing.getMessage());
    }
}
