// Package diff renders line-based unified diffs (the format of diff -u and git diff).
//
// graphc verify uses it to show how a generated file on disk differs from what
// its spec produces. The output is what GNU diff -u prints (without the
// timestamps in the "---" and "+++" header lines) and can be fed to patch or
// git apply.
//
// Lines are compared with Myers' O((N+M)D) algorithm in its linear-space form,
// so two large files that differ in a few lines are compared quickly and in
// memory proportional to their size. The edit script is minimal except in one
// case: like GNU diff, when a stretch of the texts needs very many line edits
// (about a thousand or more for 100,000-line texts, several thousand for
// smaller ones) the search settles for a good split point instead of the best
// one, which keeps the time bounded for texts that have little in common.
// Such diffs are still exact, just not necessarily the shortest.
package diff
