import type { UserConfig } from 'tsdown';

export function msgkitBuild(entry: Record<string, string>): UserConfig;
