/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment BackupRow on Ec2InstanceBackup {\n    id\n    backupId\n    startTimestamp\n    type\n    instanceNativeId\n    awsRegion\n    sizeInGb: size\n    instance {\n      id\n      instanceId\n    }\n  }\n": typeof types.BackupRowFragmentDoc,
    "\n  query BackupsList($first: Int!, $after: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {\n    ec2InstanceBackups(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          ...BackupRow\n        }\n      }\n    }\n  }\n": typeof types.BackupsListDocument,
    "\n  query BackupDetail($backupId: ID!) {\n    ec2InstanceBackup(backupId: $backupId) {\n      id\n      ...BackupRow\n      expirationTimestamp\n      instanceType\n      backupTier\n      utilizedSizeInBytes\n      attachedBackupEbsVolumes {\n        id\n        volumeNativeId\n        name\n        isRoot\n        sizeInBytes: size\n        utilizedSizeInBytes\n      }\n      tags {\n        key\n        value\n      }\n    }\n  }\n": typeof types.BackupDetailDocument,
};
const documents: Documents = {
    "\n  fragment BackupRow on Ec2InstanceBackup {\n    id\n    backupId\n    startTimestamp\n    type\n    instanceNativeId\n    awsRegion\n    sizeInGb: size\n    instance {\n      id\n      instanceId\n    }\n  }\n": types.BackupRowFragmentDoc,
    "\n  query BackupsList($first: Int!, $after: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {\n    ec2InstanceBackups(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          ...BackupRow\n        }\n      }\n    }\n  }\n": types.BackupsListDocument,
    "\n  query BackupDetail($backupId: ID!) {\n    ec2InstanceBackup(backupId: $backupId) {\n      id\n      ...BackupRow\n      expirationTimestamp\n      instanceType\n      backupTier\n      utilizedSizeInBytes\n      attachedBackupEbsVolumes {\n        id\n        volumeNativeId\n        name\n        isRoot\n        sizeInBytes: size\n        utilizedSizeInBytes\n      }\n      tags {\n        key\n        value\n      }\n    }\n  }\n": types.BackupDetailDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BackupRow on Ec2InstanceBackup {\n    id\n    backupId\n    startTimestamp\n    type\n    instanceNativeId\n    awsRegion\n    sizeInGb: size\n    instance {\n      id\n      instanceId\n    }\n  }\n"): (typeof documents)["\n  fragment BackupRow on Ec2InstanceBackup {\n    id\n    backupId\n    startTimestamp\n    type\n    instanceNativeId\n    awsRegion\n    sizeInGb: size\n    instance {\n      id\n      instanceId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BackupsList($first: Int!, $after: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {\n    ec2InstanceBackups(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          ...BackupRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BackupsList($first: Int!, $after: String, $filter: Ec2InstanceBackupFilter, $orderBy: Ec2InstanceBackupOrder) {\n    ec2InstanceBackups(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          ...BackupRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BackupDetail($backupId: ID!) {\n    ec2InstanceBackup(backupId: $backupId) {\n      id\n      ...BackupRow\n      expirationTimestamp\n      instanceType\n      backupTier\n      utilizedSizeInBytes\n      attachedBackupEbsVolumes {\n        id\n        volumeNativeId\n        name\n        isRoot\n        sizeInBytes: size\n        utilizedSizeInBytes\n      }\n      tags {\n        key\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  query BackupDetail($backupId: ID!) {\n    ec2InstanceBackup(backupId: $backupId) {\n      id\n      ...BackupRow\n      expirationTimestamp\n      instanceType\n      backupTier\n      utilizedSizeInBytes\n      attachedBackupEbsVolumes {\n        id\n        volumeNativeId\n        name\n        isRoot\n        sizeInBytes: size\n        utilizedSizeInBytes\n      }\n      tags {\n        key\n        value\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;