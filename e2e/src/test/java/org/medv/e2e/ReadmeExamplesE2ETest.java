package org.medv.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.medv.cli.Main;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code ./medv ask ... # ANSWER} line of the READMEs, asked through gateway, vision, denoiser and Kafka with
 * the command's default flags, must get ANSWER: the examples are promises to a reader with a fresh checkout. The
 * examples are read from the markdown, so a new one is tested as soon as it is written.
 */
class ReadmeExamplesE2ETest {
    private static final List<String> READMES = List.of("README.md", "models/demo/README.md");
    private static final Pattern ASK = Pattern.compile("^\\./medv ask (.+?)\\s+# (\\S.*)$");
    private static final Pattern WORD = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)");

    /** One example: where it is written, the arguments after {@code ask}, and the answer written beside it. */
    record Example(String where, List<String> args, String answer) {
    }

    @TestFactory
    Stream<DynamicTest> everyAskExampleGetsTheAnswerWrittenBesideIt() throws IOException {
        List<Example> examples = examples();
        for (String readme : READMES) {
            assertTrue(examples.stream().anyMatch(e -> e.where().startsWith(readme + ":")), readme + " has examples");
        }
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.where() + ": " + e.args() + " -> " + e.answer(),
                () -> assertEquals(e.answer(), ask(e.args()), e.where())));
    }

    /** Each {@code ./medv ask} line in a fenced block; one without an answer comment fails here, not silently. */
    static List<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        for (String readme : READMES) {
            List<String> lines = Files.readAllLines(Stack.repoRoot().resolve(readme));
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                fenced ^= line.startsWith("```");
                if (!fenced || !line.startsWith("./medv ask ")) {
                    continue;
                }
                Matcher m = ASK.matcher(line);
                assertTrue(m.matches(), readme + ":" + (i + 1) + " has no '# answer' comment: " + line);
                out.add(new Example(readme + ":" + (i + 1), words(m.group(1)), m.group(2).strip()));
            }
        }
        return out;
    }

    /** Shell words: double- or single-quoted strings, else runs of non-blanks. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(line);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    /** {@code medv ask} as the README runs it from the repository root, on the test stack's gateway. */
    private static String ask(List<String> readmeArgs) {
        Stack.get();
        List<String> args = new ArrayList<>(List.of("ask"));
        for (int i = 0; i < readmeArgs.size(); i++) {
            boolean path = i > 0 && readmeArgs.get(i - 1).equals("--image");
            args.add(path ? Stack.repoRoot().resolve(readmeArgs.get(i)).toString() : readmeArgs.get(i));
        }
        args.addAll(List.of("--port", Integer.toString(Stack.grpc(0)), "--format", "json"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, code, err.toString());
        JsonObject answer = JsonParser.parseString(out.toString()).getAsJsonObject();
        return answer.get("text").getAsString().strip();
    }
}
