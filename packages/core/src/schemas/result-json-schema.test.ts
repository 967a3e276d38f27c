import { describe, expect, it } from "vitest";
import { readResultText, resultJsonSchema } from "./result-json-schema.ts";

type Node = {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: unknown;
  items?: Node;
  anyOf?: Node[];
};

/** Every object of a schema: strict structured outputs check each one. */
function objectsOf(node: Node): Node[] {
  const inner = [...Object.values(node.properties ?? {}), ...(node.items ? [node.items] : []), ...(node.anyOf ?? [])];
  return [...(node.type === "object" ? [node] : []), ...inner.flatMap(objectsOf)];
}

describe("RESULT's JSON Schema for a model's final answer", () => {
  it("is one a strict json_schema takes: every object requires all its properties and allows no other, no defaults", () => {
    const schema = resultJsonSchema() as Node;
    const objects = objectsOf(schema);
    expect(objects.map((o) => Object.keys(o.properties ?? {}))).toEqual([
      ["status", "summary", "learnings", "files", "followUps"],
      ["title", "body", "tags"],
    ]);
    for (const object of objects) {
      expect(object.required).toEqual(Object.keys(object.properties ?? {}));
      expect(object.additionalProperties).toBe(false);
    }
    expect(JSON.stringify(schema)).not.toMatch(/"default"|"\$schema"/);
    expect(schema.properties?.files).toEqual({
      anyOf: [{ type: "array", maxItems: 1000, items: { type: "string", maxLength: 500 } }, { type: "null" }],
    });
  });

  it("reads an answer held to it as a RESULT: a null field is a field left out", () => {
    const answer = {
      status: "partial",
      summary: "half",
      learnings: [{ title: "t", body: "b", tags: null }],
      files: null,
      followUps: ["the rest"],
    };
    expect(readResultText(JSON.stringify(answer))).toEqual({
      result: { status: "partial", summary: "half", learnings: [{ title: "t", body: "b" }], followUps: ["the rest"] },
      error: null,
    });
  });

  it("says whether an answer that is no RESULT was JSON, and what is wrong with it", () => {
    expect(readResultText("I edited the README.")).toMatchObject({ result: null, isJson: false, error: /^it is not JSON/ });
    const wrong = readResultText(JSON.stringify({ status: "finished", summary: 3 }));
    expect(wrong).toMatchObject({ result: null, isJson: true });
    expect(wrong.error).toMatch(/^it does not match the RESULT schema:\n[\s\S]*→ at status[\s\S]*→ at summary/);
  });
});
