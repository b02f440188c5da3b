package io.freshet.devstack.clickhouse;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClickHouseErrorTest {

    @Test
    void readsTheCodeAndStatusFromTheEngineText() {
        ClickHouseError error = ClickHouseError.fromEngine(
                "Code: 62. DB::Exception: Syntax error: failed at position 7. (SYNTAX_ERROR)", "26.7.2.1");

        assertEquals(62, error.code());
        assertEquals(400, error.httpStatus());
        assertEquals("Code: 62. DB::Exception: Syntax error: failed at position 7. (SYNTAX_ERROR) (version 26.7.2.1)\n",
                error.body());
    }

    @Test
    void keepsAVersionTheEngineAlreadyAdded() {
        ClickHouseError error = ClickHouseError.fromEngine(
                "Code: 60. DB::Exception: Table db.nope does not exist. (UNKNOWN_TABLE) (version 26.7.2.1)", "26.7.2.1");

        assertEquals(60, error.code());
        assertEquals(404, error.httpStatus());
        assertEquals("Code: 60. DB::Exception: Table db.nope does not exist. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
                error.body());
    }

    @Test
    void textWithoutACodeIsAStdException() {
        ClickHouseError error = ClickHouseError.fromEngine("Error: Invalid or closed connection", "26.7.2.1");

        assertEquals(1001, error.code());
        assertEquals(500, error.httpStatus());
        assertEquals("Code: 1001. DB::Exception: Invalid or closed connection. (STD_EXCEPTION) (version 26.7.2.1)\n",
                error.body());
    }
}
