/**
 * Immutable configuration: the {@link io.jclsync.config.Config} record and the rules-file parser.
 * May import {@code fs} and {@code filter}.
 */
package io.jclsync.config;
