package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a schema's shape before the validator sees it, so that no schema a client registers can make the hub
 * recurse without end or work exponentially: nesting deeper than {@link #MAX_DEPTH}, more than
 * {@link #MAX_EXPANDED} schemas once refs are followed, a {@code $ref} that leads back to a schema it is
 * inside (directly, {@code "$ref": "#"}, or through a cycle of refs), {@code $dynamicRef}/{@code $recursiveRef},
 * and refs that are not a JSON pointer into the schema itself. Iterative (an explicit stack), so a deep schema
 * cannot overflow the checker either. Stateless.
 */
final class SchemaShape {

    /** The deepest nesting of JSON values a schema may have. */
    static final int MAX_DEPTH = 64;

    /**
     * The most schemas a schema may stand for once its {@code $ref}s are followed. Refs may share targets, so a
     * small schema can stand for exponentially many ({@code d_i = {allOf: [{$ref: d_i-1}, {$ref: d_i-1}]}}), and
     * validation visits every one of them.
     */
    static final long MAX_EXPANDED = 10_000;

    private SchemaShape() {}

    /** What is wrong with {@code schema}'s shape: {@code [path, problem]}, or empty. */
    static Optional<String[]> problem(JsonNode schema) {
        Optional<String[]> deep = tooDeep(schema);
        if (deep.isPresent()) {
            return deep;
        }
        Optional<String[]> cycle = cycle(schema);
        if (cycle.isPresent()) {
            return cycle;
        }
        long expanded = expanded(schema);
        return expanded > MAX_EXPANDED
                ? Optional.of(new String[] {
                    "",
                    "stands for more than " + MAX_EXPANDED + " schemas once its $refs are followed (refs that share"
                            + " a target multiply); the allowed maximum is " + MAX_EXPANDED
                })
                : Optional.empty();
    }

    /**
     * How many container values the schema stands for with every {@code $ref} replaced by its target, capped just
     * past {@link #MAX_EXPANDED}. The graph has no cycle (checked first), so each value's count is computed once,
     * children first, with an explicit stack.
     */
    private static long expanded(JsonNode root) {
        Map<JsonNode, Long> count = new IdentityHashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        Deque<long[]> sums = new ArrayDeque<>();
        stack.push(new Frame(root, ""));
        sums.push(new long[] {1});
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (!f.children.hasNext()) {
                stack.pop();
                long total = Math.min(MAX_EXPANDED + 1, sums.pop()[0]);
                count.put(f.node, total);
                if (!sums.isEmpty()) {
                    sums.peek()[0] = Math.min(MAX_EXPANDED + 1, sums.peek()[0] + total);
                }
                continue;
            }
            String[] next = f.children.next();
            JsonNode child = next[1] != null
                    ? resolve(root, next[1]).orElse(null)
                    : f.node.isArray() ? f.node.get(Integer.parseInt(next[0])) : f.node.get(next[0]);
            if (child == null || !child.isContainerNode()) {
                continue;
            }
            Long known = count.get(child);
            if (known != null) {
                sums.peek()[0] = Math.min(MAX_EXPANDED + 1, sums.peek()[0] + known);
            } else {
                stack.push(new Frame(child, ""));
                sums.push(new long[] {1});
            }
        }
        return count.get(root);
    }

    private static Optional<String[]> tooDeep(JsonNode schema) {
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {schema, "", 1});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            JsonNode node = (JsonNode) top[0];
            int depth = (Integer) top[2];
            if (depth > MAX_DEPTH) {
                return Optional.of(new String[] {
                    (String) top[1], "nests deeper than the allowed maximum (" + MAX_DEPTH + " levels)"
                });
            }
            if (node.isArray()) {
                int i = 0;
                for (JsonNode child : node) {
                    stack.push(new Object[] {child, top[1] + "/" + i++, depth + 1});
                }
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> f : node.properties()) {
                    stack.push(new Object[] {f.getValue(), top[1] + "/" + f.getKey(), depth + 1});
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A depth-first walk over the schema's values where a {@code $ref} is one more edge to its target: a value
     * met again while it is still on the walk's path is a cycle.
     */
    private static Optional<String[]> cycle(JsonNode root) {
        Map<JsonNode, Boolean> onPath = new IdentityHashMap<>(); // true: on the path; false: done
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root, ""));
        onPath.put(root, true);
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (!f.children.hasNext()) {
                onPath.put(f.node, false);
                stack.pop();
                continue;
            }
            String[] next = f.children.next();
            JsonNode child;
            String path = f.path + "/" + next[0];
            if (next[1] != null) { // a $ref
                Optional<JsonNode> target = resolve(root, next[1]);
                if (target.isEmpty()) {
                    return Optional.of(new String[] {
                        path, "$ref " + next[1] + " must be a JSON pointer into this schema (\"#/$defs/name\")"
                    });
                }
                child = target.get();
            } else {
                child = f.node.isArray() ? f.node.get(Integer.parseInt(next[0])) : f.node.get(next[0]);
            }
            Boolean state = onPath.get(child);
            if (Boolean.TRUE.equals(state)) {
                return Optional.of(new String[] {path, "refers back to a schema it is inside (recursive $ref)"});
            }
            if (state == null && child.isContainerNode()) {
                onPath.put(child, true);
                stack.push(new Frame(child, path));
            }
        }
        return Optional.empty();
    }

    /** The value {@code ref} ({@code #} or {@code #/json/pointer}) names in {@code root}. */
    private static Optional<JsonNode> resolve(JsonNode root, String ref) {
        if (ref.equals("#")) {
            return Optional.of(root);
        }
        if (!ref.startsWith("#/")) {
            return Optional.empty();
        }
        try {
            JsonNode target =
                    root.at(java.net.URLDecoder.decode(ref.substring(1), java.nio.charset.StandardCharsets.UTF_8));
            return target.isMissingNode() ? Optional.empty() : Optional.of(target);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** One value on the walk: its children to visit, each {@code [name, ref-or-null]}. */
    private static final class Frame {
        final JsonNode node;
        final String path;
        final Iterator<String[]> children;

        Frame(JsonNode node, String path) {
            this.node = node;
            this.path = path;
            java.util.List<String[]> kids = new java.util.ArrayList<>();
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    kids.add(new String[] {Integer.toString(i), null});
                }
            } else {
                node.properties().forEach(e -> {
                    boolean refKeyword = e.getKey().equals("$ref")
                            || e.getKey().equals("$dynamicRef")
                            || e.getKey().equals("$recursiveRef");
                    if (refKeyword) {
                        // $dynamicRef/$recursiveRef resolve at validation time: named as refs that do not resolve.
                        kids.add(new String[] {
                            e.getKey(),
                            e.getKey().equals("$ref") && e.getValue().isTextual()
                                    ? e.getValue().textValue()
                                    : "?"
                        });
                    } else {
                        kids.add(new String[] {e.getKey(), null});
                    }
                });
            }
            this.children = kids.iterator();
        }
    }
}
