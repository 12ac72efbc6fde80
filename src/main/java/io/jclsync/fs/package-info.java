/**
 * File-system primitives shared by every stage: raw path bytes and entry types.
 * Imports nothing from other jclsync packages.
 */
package io.jclsync.fs;
