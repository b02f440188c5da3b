package io.freshet.router.admin;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An operator's background jobs of one kind (replays, redrives): one runs at a time, on a thread of its own, and each
 * stays visible by id, while it runs and after it ended, for as long as the router runs.
 *
 * @param <J> the job as the operator sees it (immutable; each update replaces it)
 */
public final class AdminJobs<J> implements AutoCloseable {

    private final ExecutorService runner;
    private final Map<String, J> jobs = new ConcurrentHashMap<>();
    private final AtomicReference<String> running = new AtomicReference<>();

    public AdminJobs(String threadName) {
        this.runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).factory());
    }

    /** Makes a job of a new id and runs {@code work} on it in the background; empty when another job is running. */
    public Optional<J> start(Function<String, J> create, Consumer<J> work) {
        String id = UUID.randomUUID().toString();
        if (!running.compareAndSet(null, id)) {
            return Optional.empty();
        }
        J job = create.apply(id);
        jobs.put(id, job);
        runner.execute(() -> {
            try {
                work.accept(job);
            } finally {
                running.compareAndSet(id, null); // work that ended abruptly must not block every later job
            }
        });
        return Optional.of(job);
    }

    /** Shows a running job's progress. */
    public void update(String id, J job) {
        jobs.put(id, job);
    }

    /** Shows the job's end, once the next may start: whoever sees this one ended may start another at once. */
    public void end(String id, J job) {
        running.compareAndSet(id, null);
        jobs.put(id, job);
    }

    public Optional<J> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** The id of the running job. */
    public Optional<String> running() {
        return Optional.ofNullable(running.get());
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
