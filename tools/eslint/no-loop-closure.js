// ESLint rule: no function inside a loop that captures the loop's own let/const variable.
// Standard JS gives each iteration a fresh binding, so ESLint's no-loop-func allows it;
// Espruino does not, and every closure sees the LAST value (design.md §3). Use forEach.
export default {
  meta: {
    type: "problem",
    docs: { description: "disallow closures over let/const loop variables (Espruino shares one binding)" },
    messages: { captured: "This function captures the loop variable '{{name}}'; on Espruino every closure sees its last value: use forEach." },
    schema: [],
  },
  create(context) {
    const sourceCode = context.sourceCode;
    function check(loop) {
      const scope = sourceCode.scopeManager.acquire(loop);
      if (!scope) return;
      for (const variable of scope.variables) {
        for (const reference of variable.references) {
          let from = reference.from;
          while (from && from !== scope && from.type !== "function") from = from.upper;
          if (from && from.type === "function") {
            context.report({ node: reference.identifier, messageId: "captured", data: { name: variable.name } });
            break;
          }
        }
      }
    }
    return { ForStatement: check, ForInStatement: check, ForOfStatement: check };
  },
};
