import { describe, expect, it } from "vitest";
import { generatePeople } from "../../../bench/identity/people.js";
import { generateRecords } from "../../../bench/identity/records.js";
import { pairwiseScore } from "../../../bench/identity/score.js";

describe("identity benchmark scoring", () => {
  it("counts pairwise precision and recall from cluster sizes", () => {
    // Person 1 made a, b, c; person 2 made d, e. Contacts: {a, b}, {c, d}, {e}.
    const truth = new Map([
      ["a", 1],
      ["b", 1],
      ["c", 1],
      ["d", 2],
      ["e", 2],
    ]);
    const predicted = new Map([
      ["a", "x"],
      ["b", "x"],
      ["c", "y"],
      ["d", "y"],
      ["e", "z"],
    ]);
    const score = pairwiseScore(truth, predicted);
    // True pairs: ab, ac, bc, de (4); predicted: ab, cd (2); correct: ab (1).
    expect(score).toMatchObject({ truePairs: 4, predictedPairs: 2, correctPairs: 1 });
    expect(score.precision).toBe(0.5);
    expect(score.recall).toBe(0.25);
    expect(score.f1).toBeCloseTo(1 / 3);
  });

  it("counts a record the graph gave no contact as a contact of its own", () => {
    const truth = new Map([
      ["a", 1],
      ["b", 1],
    ]);
    expect(pairwiseScore(truth, new Map([["a", "x"]])).recall).toBe(0);
  });
});

describe("identity benchmark generator", () => {
  it("gives the same labelled records for the same seed, every record labelled", () => {
    const first = generateRecords(generatePeople(50, 3), 5);
    const again = generateRecords(generatePeople(50, 3), 5);
    expect(again.orders).toEqual(first.orders);
    expect(first.truth.size).toBe(first.orders.length + first.events.length);
    expect(new Set(first.truth.values()).size).toBe(50);
  });
});
