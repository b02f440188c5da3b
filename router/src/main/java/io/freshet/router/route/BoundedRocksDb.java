package io.freshet.router.route;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * One memory budget for every RocksDB instance of the routes (each segment of a window store is one): Kafka Streams'
 * default gives each its own 50 MiB block cache and three 16 MiB memtables, so the router's native memory grew with
 * the segments. Here their blocks, indexes, filters and memtables all count against one shared cache (Kafka Streams'
 * documented bounded-memory setup).
 */
public class BoundedRocksDb implements RocksDBConfigSetter {

    private static final long TOTAL_BYTES = 32L << 20;
    private static final long MEMTABLE_BYTES = 8L << 20;
    private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, 0.1);
    private static final WriteBufferManager MEMTABLES = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        var table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setPinL0FilterAndIndexBlocksInCache(true);
        options.setWriteBufferManager(MEMTABLES);
        options.setTableFormatConfig(table);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(2L << 20);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the buffer manager are shared by every store of the process: closed with it, not per store
    }
}
