#!/usr/bin/env node
// The `msgkit-queue` command. A committed file rather than dist/bin.mjs itself, so that
// `pnpm install` in a fresh clone can link the workspace's bin before anything is built.
import '../dist/bin.mjs';
