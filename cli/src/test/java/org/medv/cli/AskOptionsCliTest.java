package org.medv.cli;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medv.proto.v1.AnswerEvent;
import org.medv.proto.v1.AskRequest;
import org.medv.proto.v1.AssistantGrpc;
import org.medv.proto.v1.GenerationOptions;
import org.medv.proto.v1.TokenIds;
import picocli.CommandLine;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code ask} puts on the wire (a fake Assistant records it) and what {@code eval run} would: flags left out
 * stay unset so that the gateway applies the served model's defaults; --forbid-ids and --stop-ids are carried.
 */
class AskOptionsCliTest {
    private static final LinkedBlockingQueue<AskRequest> ASKED = new LinkedBlockingQueue<>();
    private static Server server;

    @BeforeAll
    static void startFakeGateway() throws IOException {
        server = ServerBuilder.forPort(0).addService(new AssistantGrpc.AssistantImplBase() {
            @Override
            public void ask(AskRequest request, StreamObserver<AnswerEvent> out) {
                ASKED.add(request);
                out.onNext(AnswerEvent.newBuilder().setFinal(true).setText("both").build());
                out.onCompleted();
            }
        }).build().start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static GenerationOptions asked(String... flags) throws InterruptedException {
        String[] args = new String[5 + flags.length];
        String[] common = {"ask", "--port", Integer.toString(server.getPort()), "--quiet", "Which side?"};
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(flags, 0, args, common.length, flags.length);
        GenerateGoldenCliTest.Result r = GenerateGoldenCliTest.medv(args);
        assertEquals(0, r.code(), r.err());
        assertEquals("both", r.out().trim());
        AskRequest req = ASKED.poll(10, TimeUnit.SECONDS);
        assertNotNull(req, "the fake gateway was asked");
        return req.getOptions();
    }

    @Test
    void askLeavesUnsetOptionsUnset() throws InterruptedException {
        assertEquals(GenerationOptions.getDefaultInstance(), asked(), "no 128 / 128 / 128, no seed, no remasking");
    }

    @Test
    void askSendsTheFlagsGivenAnExplicitZeroIncluded() throws InterruptedException {
        GenerationOptions o = asked("--steps", "8", "--temperature", "0", "--remasking", "random");
        assertEquals(8, o.getSteps());
        assertFalse(o.hasGenLength() || o.hasBlockLength() || o.hasSeed() || o.hasCfgScale());
        assertTrue(o.hasTemperature(), "temperature 0 is sent as a value");
        assertEquals(org.medv.proto.v1.Remasking.REMASKING_RANDOM, o.getRemasking());
    }

    @Test
    void askSendsTheDecodingMode() throws InterruptedException {
        GenerationOptions o = asked("--cache", "prefix", "--threshold", "0.8", "--refresh-every", "4");
        assertEquals(org.medv.proto.v1.CacheMode.CACHE_MODE_PREFIX, o.getCache());
        assertEquals(0.8, o.getThreshold());
        assertEquals(4, o.getRefreshEvery());
        assertFalse(o.hasGenLength() || o.hasSteps());
    }

    @Test
    void askCarriesForbidAndStopIds() throws InterruptedException {
        GenerationOptions o = asked("--forbid-ids", "3,4", "--stop-ids", "5,6;7");
        assertEquals(List.of(3, 4), o.getForbidIds().getIdsList());
        assertEquals(List.of(TokenIds.newBuilder().addIds(5).addIds(6).build(), TokenIds.newBuilder().addIds(7)
                .build()), o.getStopIdsList());
        o = asked("--forbid-ids", "none", "--stop-ids", "none");
        assertTrue(o.hasForbidIds() && o.getForbidIds().getIdsCount() == 0, "none: set and empty");
        assertTrue(o.getNoStop());
    }

    @Test
    void evalRunSendsTheSameAndLabelsOnlyTheLengthsGiven() {
        EvalRunCommand run = new EvalRunCommand();
        new CommandLine(run).parseArgs("--dataset", "synth", "--data", "d", "--forbid-ids", "9");
        assertEquals(GenerationOptions.newBuilder().setForbidIds(TokenIds.newBuilder().addIds(9)).build(),
                run.flags.toProto());
        assertEquals(null, run.flags.settingsLabel());

        run = new EvalRunCommand();
        new CommandLine(run).parseArgs("--dataset", "synth", "--data", "d", "--gen-length", "8", "--steps", "8");
        assertEquals("gen=8,steps=8", run.flags.settingsLabel());
        assertFalse(run.flags.toProto().hasBlockLength());
    }
}
