// A single read/write/compare-and-swap register that starts absent (Jepsen's etcd register test).

import { accept, type Model, REJECT, type StepResult } from "./types.js";

export type RegisterValue = number | string;
/** The register's content; null while absent (never written). */
export type RegisterState = RegisterValue | null;

export type RegisterInput =
  | { readonly f: "read" }
  | { readonly f: "write"; readonly value: RegisterValue }
  | { readonly f: "cas"; readonly from: RegisterState; readonly to: RegisterValue };

export type RegisterOutput =
  | { readonly f: "read"; readonly value: RegisterState }
  | { readonly f: "write" }
  /** `ok: false`: the register did not hold `from`, nothing changed. */
  | { readonly f: "cas"; readonly ok: boolean };

export const showRegisterValue = (v: RegisterState): string =>
  v === null ? "nil" : typeof v === "number" ? String(v) : JSON.stringify(v);

const registerKey = (s: RegisterState): string =>
  s === null ? "" : typeof s === "number" ? `n${s}` : `s${JSON.stringify(s)}`;

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: "register",
  init: null,
  step(state, input, output): StepResult<RegisterState> {
    if (output !== undefined && output.f !== input.f) return REJECT;
    switch (input.f) {
      case "read":
        return output === undefined || (output.f === "read" && output.value === state)
          ? accept(state)
          : REJECT;
      case "write":
        return accept(input.value);
      case "cas": {
        const swapped = state === input.from;
        if (output !== undefined && output.f === "cas" && output.ok !== swapped) return REJECT;
        return accept(swapped ? input.to : state);
      }
    }
  },
  stateKey: (s) => registerKey(s),
  inputKey(input) {
    switch (input.f) {
      case "read":
        return "r";
      case "write":
        return `w${registerKey(input.value)}`;
      case "cas":
        return `c${registerKey(input.from)},${registerKey(input.to)}`;
    }
  },
  isReadOnly: (input) => input.f === "read",
  describeInput(input) {
    switch (input.f) {
      case "read":
        return "read()";
      case "write":
        return `write(${showRegisterValue(input.value)})`;
      case "cas":
        return `cas(${showRegisterValue(input.from)} → ${showRegisterValue(input.to)})`;
    }
  },
  describeOutput(output) {
    switch (output.f) {
      case "read":
        return showRegisterValue(output.value);
      case "write":
        return "ok";
      case "cas":
        return output.ok ? "ok" : "failed";
    }
  },
};
