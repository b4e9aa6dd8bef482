package org.medv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code medv completion}: bash accepts the script, and with it sourced, completing after {@code ./medv}, and after
 * each command that has subcommands, offers exactly the command tree's names; {@code ./medv ev} completes to eval.
 */
class CompletionCliTest {

    @Test
    void bashCompletesEveryCommandOfTheTree(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv("completion");
        assertEquals(0, r.code(), r.err());
        Path script = Files.writeString(tmp.resolve("medv_completion"), r.out());
        assertEquals("", bash("bash -n " + script), "bash -n accepts the script");

        List<String> prefixes = new ArrayList<>(List.of("./medv ev"));
        List<String> expected = new ArrayList<>(List.of("eval"));
        collect(Main.commandLine(), "./medv", prefixes, expected);
        StringBuilder probe = new StringBuilder("source " + script + "\ncompopt() { :; }\n"
                + "comp() { read -ra COMP_WORDS <<< \"$1\"; [[ $1 == *' ' ]] && COMP_WORDS+=(''); "
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$1; COMP_POINT=${#1}; COMPREPLY=(); "
                + "_complete_medv; printf '%s\\n' \"$(printf '%s\\n' \"${COMPREPLY[@]}\" | sort | xargs)\"; }\n");
        prefixes.forEach(p -> probe.append("comp '").append(p).append("'\n"));
        assertEquals(String.join("\n", expected) + "\n", bash(probe.toString()));
    }

    /** For each command with subcommands: "PATH " completes to its sorted subcommand names. */
    private static void collect(CommandLine cmd, String path, List<String> prefixes, List<String> expected) {
        Map<String, CommandLine> subs = cmd.getSubcommands();
        if (subs.isEmpty()) {
            return;
        }
        prefixes.add(path + " ");
        expected.add(String.join(" ", new TreeSet<>(subs.keySet())));
        subs.forEach((name, sub) -> collect(sub, path + " " + name, prefixes, expected));
    }

    private static String bash(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
