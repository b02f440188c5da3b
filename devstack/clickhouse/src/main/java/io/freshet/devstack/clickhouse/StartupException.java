package io.freshet.devstack.clickhouse;

/**
 * The endpoint cannot start. The message is one sentence for a person: what is wrong and how to fix it.
 */
final class StartupException extends Exception {

    StartupException(String sentence) {
        super(sentence, null, false, false);
    }
}
