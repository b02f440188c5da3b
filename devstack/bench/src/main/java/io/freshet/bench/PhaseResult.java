package io.freshet.bench;

import java.util.List;
import java.util.Map;

/**
 * One load of a run, as verified: events the gateway accepted in 202s, and the rows of the phase's tenants ClickHouse
 * held by the time they numbered as many.
 *
 * @param offeredPerSecond      the open-loop rate, or null for flat out
 * @param acceptedPerSecond     events accepted / seconds from the load's start to its last answer
 * @param storedPerSecond       rows stored / seconds from the load's start until they numbered the accepted events
 * @param freshnessMs           markers, from their 202 until a query returned them
 * @param markersMissing        markers the gateway refused, or that no query returned within the drain
 * @param requestLatencyMs      each batch from when it was due to its answer
 * @param eventInsertsPerSecond parts written into freshet.events per second of the load, by ClickHouse's block numbers
 * @param cpuPercent            each part's share of one core during the load
 * @param clickHouseProbePercent the part of ClickHouse's CPU that the freshness probe's polls took (calibrated on the idle stack)
 * @param startSeconds          when the load started, in seconds since the run started
 * @param acceptedSeries        events accepted in each second of the load
 * @param storedSeries          [seconds since the run started, rows stored] samples, about one a second
 * @param markers               each marker's freshness by when it was accepted
 */
record PhaseResult(String name, Integer offeredPerSecond, int seconds, long requests, long accepted, long rejected,
                   Map<Integer, Long> otherStatuses, long unanswered, double acceptedPerSecond, long stored,
                   double secondsUntilStored, double storedPerSecond, Percentiles freshnessMs, int markersMissing,
                   Percentiles requestLatencyMs, double eventInsertsPerSecond, Map<String, Long> cpuPercent, long clickHouseProbePercent, double startSeconds,
                   long[] acceptedSeries, List<double[]> storedSeries, List<FreshnessProbe.Sample> markers) {
}
