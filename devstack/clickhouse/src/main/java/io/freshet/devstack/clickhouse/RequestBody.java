package io.freshet.devstack.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A request body read to its end before the engine is asked for anything, so that a slow client
 * never holds the engine lock. Small bodies stay on the heap; past {@link #SPILL_THRESHOLD} the body
 * goes to a temporary file that is later memory-mapped and handed to the engine without a copy.
 */
final class RequestBody implements AutoCloseable {

    /** Past this, bodies (bulk inserts) go to disk: eight concurrent 100 MB inserts must not fill the heap. */
    static final int SPILL_THRESHOLD = 16 << 20;
    private static final int CHUNK = 1 << 20;

    private final List<byte[]> chunks;
    private final int lastChunkLength;
    private final Path spillFile;
    private final long size;
    private Arena mapping;

    private RequestBody(List<byte[]> chunks, int lastChunkLength, Path spillFile, long size) {
        this.chunks = chunks;
        this.lastChunkLength = lastChunkLength;
        this.spillFile = spillFile;
        this.size = size;
    }

    static RequestBody empty() {
        return new RequestBody(List.of(), 0, null, 0);
    }

    static RequestBody read(InputStream in, Path spillDirectory) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long size = 0;
        byte[] chunk = new byte[CHUNK];
        int filled = 0;
        while (true) {
            int n = in.read(chunk, filled, chunk.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
            size += n;
            if (filled == chunk.length) {
                chunks.add(chunk);
                if (size >= SPILL_THRESHOLD) {
                    return spill(chunks, in, size, spillDirectory);
                }
                chunk = new byte[CHUNK];
                filled = 0;
            }
        }
        if (filled > 0) {
            chunks.add(chunk);
        }
        return new RequestBody(chunks, filled == 0 ? CHUNK : filled, null, size);
    }

    private static RequestBody spill(List<byte[]> head, InputStream rest, long size, Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "body-", ".bin");
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            for (byte[] chunk : head) {
                out.write(chunk);
            }
            size += rest.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new RequestBody(List.of(), 0, file, size);
    }

    long size() {
        return size;
    }

    /** The first {@code max} bytes (or fewer): enough to read a statement head from. */
    byte[] prefix(int max) {
        byte[] prefix = new byte[(int) Math.min(max, size)];
        if (spillFile != null) {
            try (FileChannel channel = FileChannel.open(spillFile)) {
                ByteBuffer buffer = ByteBuffer.wrap(prefix);
                int read = 0;
                while (buffer.hasRemaining() && read >= 0) {
                    read = channel.read(buffer);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return prefix;
        }
        int copied = 0;
        for (byte[] chunk : chunks) {
            int n = Math.min(chunk.length, prefix.length - copied);
            System.arraycopy(chunk, 0, prefix, copied, n);
            copied += n;
            if (copied == prefix.length) {
                break;
            }
        }
        return prefix;
    }

    /** Receives consecutive pieces of the body; a piece is valid only during the call. */
    @FunctionalInterface
    interface PieceConsumer {
        /** @return false to stop early */
        boolean accept(MemorySegment piece);
    }

    /**
     * Hands the body from {@code offset} on to {@code consumer} in pieces of native memory. Heap chunks
     * are copied through {@code staging} (native downcalls cannot read the heap); a spilled body is mapped.
     *
     * @return false if the consumer stopped early
     */
    boolean forEachPiece(long offset, MemorySegment staging, PieceConsumer consumer) throws IOException {
        if (spillFile != null) {
            MemorySegment mapped = mapped();
            for (long at = offset; at < size; at += CHUNK) {
                if (!consumer.accept(mapped.asSlice(at, Math.min(CHUNK, size - at)))) {
                    return false;
                }
            }
            return true;
        }
        long chunkStart = 0;
        for (int i = 0; i < chunks.size(); i++) {
            int length = i == chunks.size() - 1 ? lastChunkLength : CHUNK;
            long chunkEnd = chunkStart + length;
            if (chunkEnd > offset) {
                int from = (int) Math.max(0, offset - chunkStart);
                int n = length - from;
                MemorySegment.copy(chunks.get(i), from, staging, JAVA_BYTE, 0, n);
                if (!consumer.accept(staging.asSlice(0, n))) {
                    return false;
                }
            }
            chunkStart = chunkEnd;
        }
        return true;
    }

    /** Copies the whole body into {@code target} at {@code at}. */
    void copyTo(MemorySegment target, long at) throws IOException {
        if (spillFile != null) {
            MemorySegment.copy(mapped(), 0, target, at, size);
            return;
        }
        long position = at;
        for (int i = 0; i < chunks.size(); i++) {
            int length = i == chunks.size() - 1 ? lastChunkLength : CHUNK;
            MemorySegment.copy(chunks.get(i), 0, target, JAVA_BYTE, position, length);
            position += length;
        }
    }

    private MemorySegment mapped() throws IOException {
        if (mapping == null) {
            mapping = Arena.ofShared();
        }
        try (FileChannel channel = FileChannel.open(spillFile)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size, mapping);
        }
    }

    @Override
    public void close() throws IOException {
        if (mapping != null) {
            mapping.close();
        }
        if (spillFile != null) {
            Files.deleteIfExists(spillFile);
        }
    }
}
