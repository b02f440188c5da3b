package io.freshet.bench;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A run's report as files: {@code <kind>-<run>.json} and {@code .png}, and copies of both as {@code <kind>-latest}. */
final class RunFiles {

    private RunFiles() {
    }

    static void write(Path dir, String kind, String run, Object report, Chart chart) {
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve(kind + "-" + run + ".json");
            Http.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
            Path png = dir.resolve(kind + "-" + run + ".png");
            chart.write(png);
            Files.copy(json, dir.resolve(kind + "-latest.json"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(png, dir.resolve(kind + "-latest.png"), StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("  written: %s, %s%n", json, png);
        } catch (IOException e) {
            throw new BenchException("cannot write the run's files under " + dir, e);
        }
    }
}
