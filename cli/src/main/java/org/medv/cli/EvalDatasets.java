package org.medv.cli;

import org.medv.eval.ConversationItem;
import org.medv.eval.Labels;
import org.medv.eval.VqaItem;
import org.medv.eval.io.ConversationBenchmarkReader;
import org.medv.eval.io.DataFileException;
import org.medv.eval.io.VqaTestReader;
import org.medv.model.InvalidRequestException;
import org.medv.model.text.PromptBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Benchmark questions as the evaluation sends them: text, image file and evaluation labels. */
final class EvalDatasets {
    /** The --dataset help of the eval commands. */
    static final String NAMES_HELP = "vqa-rad, slake, pathvqa, qa50, or any other name for DIR/test.json in the "
            + "LLaVA-Med format (e.g. synth, from medv data synth)";
    record Question(String id, String question, Path image, Map<String, String> labels) {
    }

    private EvalDatasets() {
    }

    /**
     * VQA sets ({@code vqa-rad}, {@code slake}, {@code pathvqa}, or any name): {@code DIR/test.json} in LLaVA-Med format,
     * images under {@code DIR/images/} or DIR; the question gets LLaDA-MedV's demo suffix. {@code qa50}: {@code
     * DIR/llava_med_eval_qa50_qa.jsonl} with images under {@code DIR/images/}.
     */
    static List<Question> load(String dataset, Path dir) {
        try {
            return load0(dataset, dir);
        } catch (DataFileException e) {
            throw new InvalidRequestException("data", e.getMessage(), e);
        }
    }

    private static List<Question> load0(String dataset, Path dir) {
        List<Question> out = new ArrayList<>();
        if (dataset.equals("qa50")) {
            for (ConversationItem c : ConversationBenchmarkReader.read(dir.resolve("llava_med_eval_qa50_qa.jsonl"))) {
                Map<String, String> l = new HashMap<>();
                l.put(Labels.QUESTION, c.question());
                l.put(Labels.GPT4_ANSWER, c.gpt4Answer());
                l.put(Labels.FIG_CAPTION, c.figCaption());
                l.put(Labels.FIG_LABEL, c.figLabel());
                l.put(Labels.IN_TEXT_MENTION, c.inTextMention());
                l.put(Labels.TYPE, c.type());
                l.put(Labels.DOMAIN, c.domain());
                out.add(new Question(c.questionId(), c.question(), image(dir, c.image()), l));
            }
            return out;
        }
        Path test = dir.resolve("test.json");
        if (!Files.isRegularFile(test)) {
            throw new InvalidRequestException("data", "no test.json in " + dir + " (LLaVA-Med format expected)");
        }
        for (VqaItem v : VqaTestReader.read(test)) {
            Map<String, String> labels = new LinkedHashMap<>(Map.of(Labels.GROUND_TRUTH, v.answer(),
                    Labels.ANSWER_TYPE, v.answerType().name()));
            if (v.kind() != null) {
                labels.put(Labels.QUESTION_KIND, v.kind());
            }
            out.add(new Question(v.id(), PromptBuilder.medvQuestion(v.question()), image(dir, v.image()), labels));
        }
        return out;
    }

    private static Path image(Path dir, String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        for (Path p : List.of(dir.resolve("images").resolve(name), dir.resolve(name))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new InvalidRequestException("data", "image " + name + " not found under " + dir + "/images or " + dir);
    }
}
