/// <reference types="vite/client" />

/** True in test builds and the dev server only (vite.config.ts): guards every test control, so production drops them. */
declare const __LEED_TEST_HOOKS__: boolean;
