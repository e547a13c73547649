// The phone metadata of the default entry, `@msgkit/core`, which every provider package imports.
//
// Which entry reads what: normalizePhone and normalizeRecipients are core's only functions that
// read phone metadata, and all three entries with them (the default one, `max`, and `internal`,
// which re-exports neither) answer E.164, validity, country, number type and a second reading;
// nothing in core formats a number for display (no formatNational, formatInternational or
// as-you-type). Their reading needs the numbering plans' parse and validity data and, for rule 4
// of read.ts (a grouping that contradicts the country's national format), part of the national
// formats: which of them starts with a trunk prefix, for which digits.
//
// So the default entry binds send-metadata.json, derived from libphonenumber-js's min metadata by
// scripts/send-metadata.mjs (`pnpm --filter @msgkit/core generate:metadata`): the same
// MetadataJson shape, without what this reading never looks at (format templates, less detailed
// leading digits, formats whose answer to rule 4 is the no-format answer, extension and preferred
// international prefixes). send-metadata.test.ts checks that it is what the installed library
// gives, and that every answer is the one min metadata gives. `@msgkit/core/max` keeps the
// library's max metadata whole. An app that formats numbers uses libphonenumber-js itself, with
// its own metadata; this file is not exported.
import type { MetadataJson } from 'libphonenumber-js/core';
import derived from './send-metadata.json';

export const sendMetadata = derived as unknown as MetadataJson;
