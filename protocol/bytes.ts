/** The byte helpers live in base/common (runtime-neutral, shared by every folder); protocol/ hands them on. */
export * from '../base/common/bytes.ts';
