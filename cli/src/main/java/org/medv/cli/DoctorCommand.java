package org.medv.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.medv.model.InvalidRequestException;
import org.medv.model.ModelLoadException;
import org.medv.model.device.Devices;
import org.medv.model.golden.GoldenSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code medv doctor}: what the engine is and sees, then every golden set (a tiny checkpoint and what upstream
 * computes for it step by step) replayed on the chosen device and dtype. In f32 every answer and every state before a
 * forward must be identical, else the check fails; in f16 (what a GPU runs) near-ties may reorder, so the command
 * reports how many answers and states agree. Exit code 1 when a check fails.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Report the engine, device, memory and dtypes, and replay the golden sets on them.",
            "f32: every answer and every per-step state must equal upstream's; f16: how many agree."})
final class DoctorCommand implements Callable<Integer> {
    static final int EXIT_FAILED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceFlags target = new DeviceFlags();

    @Option(names = "--golden", paramLabel = "DIR",
            description = "directory of golden sets (default: testdata/golden in the repository)")
    Path golden;

    @Mixin
    OutputFormat output = new OutputFormat();

    /** One set's replay: per run identical or not, answers and states in agreement. */
    record SetReport(String name, int runs, int sameAnswers, int states, int sameStates, List<String> differing) {
        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("runs", runs);
            o.addProperty("same_answers", sameAnswers);
            o.addProperty("states", states);
            o.addProperty("same_states", sameStates);
            JsonArray d = new JsonArray();
            differing.forEach(d::add);
            o.add("differing_runs", d);
            return o;
        }
    }

    @Override
    public Integer call() {
        boolean json = output.json();
        PrintWriter log = output.log(spec);
        if (!target.device.equals("cpu") && !target.device.equals("gpu")) {
            throw new InvalidRequestException("device", "--device must be cpu or gpu, got " + target.device);
        }
        DataType dtype;
        try {
            dtype = Devices.dtype(target.dtype);
        } catch (ModelLoadException e) {
            throw new InvalidRequestException("dtype", e.getMessage());
        }
        Path dir = golden != null ? golden : Launcher.repoRoot().resolve("testdata/golden");
        List<Path> sets = Files.isDirectory(dir) ? GoldenSet.under(dir) : List.of();
        if (sets.isEmpty()) {
            throw new InvalidRequestException("golden", "--golden " + dir
                    + " holds no golden set (a directory with expected.json)");
        }
        try (NDManager manager = NDManager.newBaseManager(Devices.parse(target.device))) {
            EngineFacts facts = EngineFacts.of(manager);
            log.print(facts.text());
            log.flush();
            boolean exact = dtype == DataType.FLOAT32;
            List<SetReport> reports = new ArrayList<>();
            for (Path set : sets) {
                SetReport r = replay(GoldenSet.load(set, manager, dtype));
                reports.add(r);
                log.printf("golden    %s %s: %d of %d answers, %d of %d states identical%s%n", r.name(),
                        target.dtype, r.sameAnswers(), r.runs(), r.sameStates(), r.states(),
                        r.differing().isEmpty() ? "" : " (differ: " + String.join(", ", r.differing()) + ")");
                log.flush();
            }
            List<String> failures = new ArrayList<>();
            if (exact) {
                reports.stream().filter(r -> !r.differing().isEmpty()).forEach(r -> failures.add("golden set "
                        + r.name() + ": " + String.join(", ", r.differing()) + " not identical to upstream in f32"));
            }
            String agreement = agreement(reports);
            log.println((exact ? "f32 check " : "f16 agreement ") + agreement);
            log.println(failures.isEmpty() ? "result    ok" : "result    FAILED: " + String.join("; ", failures));
            log.flush();
            if (json) {
                OutputFormat.print(spec.commandLine().getOut(), json(facts, dir, exact, agreement, reports, failures));
            }
            return failures.isEmpty() ? 0 : EXIT_FAILED;
        }
    }

    private static SetReport replay(GoldenSet set) {
        int sameAnswers = 0;
        int states = 0;
        int sameStates = 0;
        List<String> differing = new ArrayList<>();
        for (GoldenSet.Run run : set.runs()) {
            GoldenSet.Replay r = set.replay(run);
            sameAnswers += r.sameAnswer() ? 1 : 0;
            states += run.statesBeforeEachForward().size();
            sameStates += r.sameStates();
            if (!r.identical()) {
                differing.add(run.name());
            }
        }
        return new SetReport(set.name(), set.runs().size(), sameAnswers, states, sameStates, List.copyOf(differing));
    }

    /** "10 of 12 answers, 127 of 135 states" over all sets. */
    static String agreement(List<SetReport> reports) {
        return String.format("%d of %d answers, %d of %d states",
                reports.stream().mapToInt(SetReport::sameAnswers).sum(),
                reports.stream().mapToInt(SetReport::runs).sum(),
                reports.stream().mapToInt(SetReport::sameStates).sum(),
                reports.stream().mapToInt(SetReport::states).sum());
    }

    private JsonObject json(EngineFacts facts, Path dir, boolean exact, String agreement, List<SetReport> reports,
                            List<String> failures) {
        JsonObject o = facts.json();
        o.addProperty("dtype", target.dtype);
        JsonObject g = new JsonObject();
        g.addProperty("dir", dir.toString());
        g.addProperty("check", exact ? "identical" : "agreement");
        g.addProperty("agreement", agreement);
        JsonArray sets = new JsonArray();
        reports.forEach(r -> sets.add(r.json()));
        g.add("sets", sets);
        o.add("golden", g);
        JsonArray f = new JsonArray();
        failures.forEach(f::add);
        o.add("failures", f);
        o.addProperty("passed", failures.isEmpty());
        return o;
    }
}
