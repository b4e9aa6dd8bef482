package org.medv.cli;

import org.medv.model.sampler.GenerationOptions;
import org.medv.model.sampler.Remasking;
import picocli.CommandLine.Option;

/** The sampler options shared by {@code generate} and {@code bench}; defaults are the LLaDA-MedV demo's. */
final class GenerationFlags {
    @Option(names = "--gen-length", description = "answer length in tokens (default ${DEFAULT-VALUE})")
    int genLength = 128;

    @Option(names = "--block-length", description = "semi-autoregressive block length (default ${DEFAULT-VALUE})")
    int blockLength = 128;

    @Option(names = "--steps", description = "denoising steps, a multiple of the number of blocks (default ${DEFAULT-VALUE})")
    int steps = 128;

    @Option(names = "--temperature", description = "Gumbel-max sampling temperature; 0 is greedy (default ${DEFAULT-VALUE})")
    double temperature = 0.0;

    @Option(names = "--seed", description = "seed of the sampling noise (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--cfg-scale", description = "classifier-free guidance scale; 0 is off (default ${DEFAULT-VALUE})")
    double cfgScale = 0.0;

    @Option(names = "--remasking", description = "low_confidence or random (default ${DEFAULT-VALUE})")
    String remasking = "low_confidence";

    @Option(names = "--forbid-ids", paramLabel = "CSV|none",
            description = "token ids never produced at masked positions (default: EOS, BOS and the header tokens)")
    String forbidIds;

    @Option(names = "--stop-ids", paramLabel = "'a,b;c'|none",
            description = "stop sequences separated by ';', each a comma list of ids (default: <|eot_id|>)")
    String stopIds;

    GenerationOptions toOptions() {
        return new GenerationOptions(genLength, blockLength, steps, temperature, seed, cfgScale,
                Remasking.parse(remasking), IdLists.optionalList("forbid_ids", forbidIds),
                IdLists.stopSequences(stopIds));
    }
}
