/**
 * File-system primitives shared by every stage: raw path bytes, entry types, content hashes,
 * removing trees, and the tree comparison the demo and the tests use to decide that a target
 * equals its source. Imports nothing from other jclsync packages.
 */
package io.jclsync.fs;
