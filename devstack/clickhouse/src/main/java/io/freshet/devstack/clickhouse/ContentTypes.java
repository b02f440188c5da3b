package io.freshet.devstack.clickhouse;

import java.util.Locale;

/** The Content-Type ClickHouse sends for an output format. */
final class ContentTypes {

    private ContentTypes() {
    }

    static String of(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
            return "text/tab-separated-values; charset=UTF-8";
        }
        if (f.startsWith("csv")) {
            return "text/csv; charset=UTF-8; header=" + (f.contains("withnames") ? "present" : "absent");
        }
        if (f.startsWith("json") || f.startsWith("ndjson")) {
            return "application/json; charset=UTF-8";
        }
        if (f.equals("xml")) {
            return "application/xml; charset=UTF-8";
        }
        if (f.startsWith("rowbinary") || f.equals("native") || f.startsWith("parquet") || f.startsWith("arrow")
                || f.equals("orc") || f.equals("avro") || f.equals("msgpack") || f.equals("protobuf")) {
            return "application/octet-stream";
        }
        return "text/plain; charset=UTF-8";
    }
}
