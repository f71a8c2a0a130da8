// ESLint rule: no calls to static methods a class inherits. On Espruino, static methods are
// not inherited (design.md §3): `Child.create()` where `create` is declared on `Parent`
// is undefined at run time. Uses the TypeScript checker to find where the method is declared.
export default {
  meta: {
    type: "problem",
    docs: { description: "disallow calling a static method through a subclass (Espruino does not inherit statics)" },
    messages: {
      inherited: "'{{name}}' is a static method of {{owner}}, not of {{klass}}; Espruino does not inherit static methods: call {{owner}}.{{name}}(...)",
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services || !services.program) return {};
    const checker = services.program.getTypeChecker();
    return {
      "MemberExpression[computed=false]"(node) {
        const objectTs = services.esTreeNodeToTSNodeMap.get(node.object);
        const objectSymbol = checker.getSymbolAtLocation(objectTs);
        if (!objectSymbol) return;
        const target = objectSymbol.flags & 2097152 /* Alias */ ? checker.getAliasedSymbol(objectSymbol) : objectSymbol;
        const classDeclaration = (target.declarations || []).find((d) => d.kind === 264 /* ClassDeclaration */ || d.kind === 232 /* ClassExpression */);
        if (!classDeclaration) return;
        const propertyTs = services.esTreeNodeToTSNodeMap.get(node.property);
        const propertySymbol = checker.getSymbolAtLocation(propertyTs);
        const declaration = propertySymbol && propertySymbol.valueDeclaration;
        if (!declaration || !declaration.parent) return;
        const owner = declaration.parent;
        if (owner === classDeclaration) return;
        if (owner.kind !== 264 && owner.kind !== 232) return; // e.g. Function.prototype members
        context.report({
          node: node.property,
          messageId: "inherited",
          data: { name: node.property.name, owner: owner.name ? owner.name.text : "its base class", klass: target.name },
        });
      },
    };
  },
};
