package io.jclsync.config;

/** Bad configuration: the message names what is wrong, where, and how to fix it. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
