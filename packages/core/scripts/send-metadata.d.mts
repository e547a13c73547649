// Types of send-metadata.mjs for the tests that import it.
export declare const OUTPUT: string;
export declare function libraryMetadataPath(): string;
export declare function deriveSendMetadata(library: unknown): string;
