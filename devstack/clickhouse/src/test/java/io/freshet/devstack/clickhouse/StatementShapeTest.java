package io.freshet.devstack.clickhouse;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatementShapeTest {

    private static StatementShape shape(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return StatementShape.of(bytes, bytes.length);
    }

    @Test
    void insertFromTheUrlStartsItsDataAfterTheAddedNewline() {
        String text = "INSERT INTO db.t (a, b) FORMAT RowBinary\n";
        StatementShape shape = shape(text + "\n\u0001\u0002");

        assertEquals("RowBinary", shape.insertFormat());
        assertEquals(text.indexOf("FORMAT"), shape.insertHeadEnd());
        // Only one line break belongs to the statement: the second is the first byte of the data.
        assertEquals(text.length(), shape.insertDataStart());
    }

    @Test
    void insertInTheBodyAsTheClientWritesItKeepsBinaryDataIntact() {
        String head = "INSERT INTO events \n FORMAT RowBinaryWithDefaults \n";
        StatementShape shape = shape(head + " \t\u0000");

        assertEquals("RowBinaryWithDefaults", shape.insertFormat());
        assertEquals(head.length(), shape.insertDataStart());
    }

    @Test
    void formatWordsInLiteralsCommentsAndColumnListsAreNotTheFormatClause() {
        String text = "INSERT INTO t (`format`, \"values\") SETTINGS x = 'FORMAT CSV' /* FORMAT TSV */ -- VALUES\n FORMAT JSONEachRow {\"a\":1}";
        StatementShape shape = shape(text);

        assertEquals("JSONEachRow", shape.insertFormat());
        assertEquals(text.indexOf("FORMAT JSONEachRow"), shape.insertHeadEnd());
        assertEquals(text.indexOf('{'), shape.insertDataStart());
    }

    @Test
    void insertValuesStreamsTheTuples() {
        StatementShape shape = shape("insert into t values (1, 'a'), (2, 'b')");

        assertEquals("Values", shape.insertFormat());
        assertEquals(" (1, 'a'), (2, 'b')", "insert into t values (1, 'a'), (2, 'b')".substring(shape.insertDataStart()));
    }

    @Test
    void insertSelectIsAnOrdinaryStatement() {
        StatementShape shape = shape("INSERT INTO t SELECT * FROM values('a UInt8', 1)");

        assertFalse(shape.insertsData());
        assertEquals("INSERT", shape.keyword());
    }

    @Test
    void selectReportsItsOutputFormat() {
        assertEquals("JSONEachRow", shape("SELECT 1 FORMAT JSONEachRow").outputFormat());
        assertEquals("CSV", shape("SELECT 1 FORMAT CSV SETTINGS max_threads = 1;").outputFormat());
        assertNull(shape("SELECT format FROM t").outputFormat());
        assertNull(shape("SELECT format('{}', 1)").outputFormat());
        assertNull(shape("SELECT 'FORMAT JSON'").outputFormat());
    }

    @Test
    void aSecondStatementIsDetectedButATrailingSemicolonIsNot() {
        assertTrue(shape("SELECT 1; SELECT 2").multiStatement());
        assertFalse(shape("SELECT 1;  -- done\n").multiStatement());
        assertFalse(shape("SELECT ';'").multiStatement());
    }

    @Test
    void blanksAndCommentsAreAnEmptyQuery() {
        assertTrue(shape("  /* nothing */ -- here\n").empty());
        assertFalse(shape("1").empty());
    }

    @Test
    void anUnterminatedLiteralLeavesTheShapeIncomplete() {
        assertFalse(shape("INSERT INTO t SETTINGS x = 'oops FORMAT CSV").complete());
    }

    @Test
    void statementsThatChangeTheirSessionAreBoundToOne() {
        assertTrue(shape("SET max_threads = 1").sessionBound());
        assertTrue(shape("use system").sessionBound());
        assertTrue(shape("CREATE TEMPORARY TABLE t (x UInt8)").sessionBound());
        assertTrue(shape("INSERT INTO t SETTINGS async_insert = 1 FORMAT CSV\n1\n").sessionBound());
        assertTrue(shape("SELECT 'unterminated").sessionBound());
        assertFalse(shape("SELECT 'SET', 'temporary' FROM t SETTINGS max_threads = 1").sessionBound());
        assertFalse(shape("INSERT INTO t (settings) FORMAT CSV\n1\n").sessionBound());
        assertFalse(shape("SELECT 1;").multiStatement());
    }
}
