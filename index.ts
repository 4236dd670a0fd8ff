// Package entry point: the public API of tsro (see shared/API.md).
import 'reflect-metadata';
export * from './errors';
