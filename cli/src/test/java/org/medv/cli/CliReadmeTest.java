package org.medv.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cli/README.md documents the picocli command tree: one {@code ### `medv ...`} section per command that runs
 * (every leaf of the tree, no section for a command that does not exist), naming each of its flags in backticks;
 * a flag named anywhere in the README exists on some command.
 */
class CliReadmeTest {
    private static final Pattern SECTION = Pattern.compile("(?m)^### `(medv [a-z ]+)`$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9-]*");
    private static final Set<String> STANDARD = Set.of("--help", "--version");

    @Test
    void everyCommandAndFlagIsDocumented() throws IOException {
        String readme = Files.readString(GenerateGoldenCliTest.root().resolve("cli/README.md"));
        Map<String, Set<String>> tree = new TreeMap<>();
        leaves(Main.commandLine(), "medv", tree);
        Map<String, String> sections = sections(readme);
        assertEquals(tree.keySet(), new TreeSet<>(sections.keySet()), "one section per command that runs");

        Set<String> allFlags = new TreeSet<>(STANDARD);
        tree.values().forEach(allFlags::addAll);
        for (var e : tree.entrySet()) {
            Set<String> missing = new TreeSet<>(e.getValue());
            missing.removeAll(flags(sections.get(e.getKey())));
            assertEquals(Set.of(), missing, e.getKey() + ": flags missing from its README section");
        }
        Set<String> unknown = flags(readme);
        unknown.removeAll(allFlags);
        assertEquals(Set.of(), unknown, "flags the README names that no command has");
        assertTrue(readme.contains("--help") && readme.contains("--version"), "the standard flags are mentioned");
    }

    /** Leaf command path -> its long option names (without --help and --version). */
    private static void leaves(CommandLine cmd, String path, Map<String, Set<String>> out) {
        if (cmd.getSubcommands().isEmpty()) {
            Set<String> names = new TreeSet<>();
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                names.add(o.longestName());
            }
            names.removeAll(STANDARD);
            out.put(path, names);
        }
        cmd.getSubcommands().forEach((name, sub) -> leaves(sub, path + " " + name, out));
    }

    /** Each section's text, from its heading to the next heading of any level. */
    private static Map<String, String> sections(String readme) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = SECTION.matcher(readme);
        while (m.find()) {
            int end = readme.indexOf("\n#", m.end());
            String previous = out.put(m.group(1), readme.substring(m.end(), end < 0 ? readme.length() : end));
            assertEquals(null, previous, "two sections for " + m.group(1));
        }
        return out;
    }

    /** The flags named in code: fenced blocks and inline code spans. */
    private static Set<String> flags(String text) {
        Set<String> out = new TreeSet<>();
        boolean fenced = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher code = CODE_SPAN.matcher(line);
            while (!fenced && code.find()) {
                FLAG.matcher(code.group(1)).results().forEach(f -> out.add(f.group()));
            }
            if (fenced) {
                FLAG.matcher(line).results().forEach(f -> out.add(f.group()));
            }
        }
        return out;
    }
}
