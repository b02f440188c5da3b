package io.freshet.router.sink;

import java.util.Optional;

/**
 * Where an assigned partition resumes.
 *
 * @param committed its committed offset, where the consumer reads from
 * @param takeFrom  the first offset for a new batch: past the pending manifest's range, if any
 * @param pending   a manifest whose batch may or may not have landed: it is re-formed and inserted again first
 */
public record PartitionStart(long committed, long takeFrom, Optional<Manifest> pending) {

    public static PartitionStart at(long committed) {
        return new PartitionStart(committed, committed, Optional.empty());
    }
}
