// The names typescript-fetch (openapi-generator 5.0.0-beta2, `modelPropertyNaming: camelCase`)
// gives a spec's properties, parameters and schemas, for code that must name fields as the
// generated models do. The generated checks are typed against those models, so `tsc` fails if
// these rules and the generator's ever disagree.

// The generator's TypeScript reserved words: a property named so gets a leading `_` (`default` -> `_default`).
const RESERVED = new Set(
  'abstract await boolean break byte case catch char class const continue debugger default delete do double else enum export extends false final finally float for function goto if implements import in instanceof int interface let long native new null package private protected public return short static super switch synchronized this throw transient true try typeof var void volatile while with yield'.split(' '),
);

/** `phone_number` -> `phoneNumber`, `default` -> `_default`: a property or parameter name. */
export function modelName(wireName) {
  const sanitized = wireName.replace(/[^A-Za-z0-9_$]/g, '_');
  const camel = sanitized.replace(/_+([A-Za-z0-9])/g, (_, next) => next.toUpperCase()).replace(/^[A-Z]/, (first) => first.toLowerCase());
  return RESERVED.has(camel) ? `_${camel}` : camel;
}

/** `sendSms` -> `SendSms`, `MetaData` -> `MetaData`: a type name. */
export function typeName(name) {
  return modelName(name).replace(/^_/, '').replace(/^[a-z]/, (first) => first.toUpperCase());
}
