/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** The kind of backup. */
export type BackupType =
  /** An EBS snapshot kept in the customer's AWS account (Clumio's `aws_snapshot`). */
  | 'AWS_SNAPSHOT'
  /** A backup stored by Clumio, outside the AWS account (Clumio's `clumio_backup`). */
  | 'CLUMIO_BACKUP';

/** Narrows `ec2InstanceBackups`. All given conditions must hold. */
export type Ec2InstanceBackupFilter = {
  /**
   * Only backups of this instance: Clumio's instance ID (`Ec2Instance.instanceId`, a UUID), not the
   * AWS `i-…` ID.
   */
  instanceId?: string | number | null | undefined;
  /** Only backups whose `startTimestamp` falls in this range. */
  startTimestamp?: StartTimestampFilter | null | undefined;
};

/** The order of a backup list. */
export type Ec2InstanceBackupOrder = {
  /** Ascending (oldest first) or descending (newest first). */
  direction?: OrderDirection;
  /** The field to sort by; Clumio sorts backups by start time only. */
  field?: Ec2InstanceBackupOrderField;
};

/** Fields a backup list can be sorted by. */
export type Ec2InstanceBackupOrderField =
  /** When the backup started. */
  | 'START_TIMESTAMP';

/** Sort direction. */
export type OrderDirection =
  /** Ascending: oldest first. */
  | 'ASC'
  /** Descending: newest first. */
  | 'DESC';

/** A range of backup start times. Clumio supports exactly these two bounds. */
export type StartTimestampFilter = {
  /** Started strictly after this time (exclusive). */
  gt?: string | null | undefined;
  /** Started at or before this time (inclusive). */
  lte?: string | null | undefined;
};

export type BackupRowFragment = { __typename: 'Ec2InstanceBackup', id: string, backupId: string, startTimestamp: string | null, type: BackupType | null, instanceNativeId: string | null, awsRegion: string | null, sizeInGb: number | string | null, instance: { __typename: 'Ec2Instance', id: string, instanceId: string } } & { ' $fragmentName'?: 'BackupRowFragment' };

export type BackupsListQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: Ec2InstanceBackupFilter | null | undefined;
  orderBy?: Ec2InstanceBackupOrder | null | undefined;
}>;


export type BackupsListQuery = { __typename: 'Query', ec2InstanceBackups: { __typename: 'Ec2InstanceBackupConnection', totalCount: number | null, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null }, edges: Array<{ __typename: 'Ec2InstanceBackupEdge', cursor: string, node: (
        { __typename: 'Ec2InstanceBackup', id: string }
        & { ' $fragmentRefs'?: { 'BackupRowFragment': BackupRowFragment } }
      ) | null }> | null } | null };

export type BackupDetailQueryVariables = Exact<{
  backupId: string | number;
}>;


export type BackupDetailQuery = { __typename: 'Query', ec2InstanceBackup: (
    { __typename: 'Ec2InstanceBackup', id: string, expirationTimestamp: string | null, instanceType: string | null, backupTier: string | null, utilizedSizeInBytes: number | string | null, attachedBackupEbsVolumes: Array<{ __typename: 'AttachedEbsVolume', id: string | null, volumeNativeId: string | null, name: string | null, isRoot: boolean | null, utilizedSizeInBytes: number | string | null, sizeInBytes: number | string | null }> | null, tags: Array<{ __typename: 'AwsTag', key: string | null, value: string | null }> | null }
    & { ' $fragmentRefs'?: { 'BackupRowFragment': BackupRowFragment } }
  ) | null };

export const BackupRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BackupRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Ec2InstanceBackup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"backupId"}},{"kind":"Field","name":{"kind":"Name","value":"startTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"instanceNativeId"}},{"kind":"Field","name":{"kind":"Name","value":"awsRegion"}},{"kind":"Field","alias":{"kind":"Name","value":"sizeInGb"},"name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"instance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}}]}}]} as unknown as DocumentNode<BackupRowFragment, unknown>;
export const BackupsListDocument = {"__meta__":{"hash":"sha256:3e99cdb7ba5b78053cf2b261a42dc48b67587790b0184b4ca693fe8b10cf0317"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackupsList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Ec2InstanceBackupFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Ec2InstanceBackupOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"ec2InstanceBackups"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"BackupRow"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BackupRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Ec2InstanceBackup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"backupId"}},{"kind":"Field","name":{"kind":"Name","value":"startTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"instanceNativeId"}},{"kind":"Field","name":{"kind":"Name","value":"awsRegion"}},{"kind":"Field","alias":{"kind":"Name","value":"sizeInGb"},"name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"instance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}}]}}]} as unknown as DocumentNode<BackupsListQuery, BackupsListQueryVariables>;
export const BackupDetailDocument = {"__meta__":{"hash":"sha256:1e0ea7d5f1ffcb91a44aebdd3ce79a9a7e7c5793984fbce63e16162ab6f42449"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackupDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"backupId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"ec2InstanceBackup"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"backupId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"backupId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"BackupRow"}},{"kind":"Field","name":{"kind":"Name","value":"expirationTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"instanceType"}},{"kind":"Field","name":{"kind":"Name","value":"backupTier"}},{"kind":"Field","name":{"kind":"Name","value":"utilizedSizeInBytes"}},{"kind":"Field","name":{"kind":"Name","value":"attachedBackupEbsVolumes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"volumeNativeId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isRoot"}},{"kind":"Field","alias":{"kind":"Name","value":"sizeInBytes"},"name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"utilizedSizeInBytes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tags"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BackupRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Ec2InstanceBackup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"backupId"}},{"kind":"Field","name":{"kind":"Name","value":"startTimestamp"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"instanceNativeId"}},{"kind":"Field","name":{"kind":"Name","value":"awsRegion"}},{"kind":"Field","alias":{"kind":"Name","value":"sizeInGb"},"name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"instance"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"instanceId"}}]}}]}}]} as unknown as DocumentNode<BackupDetailQuery, BackupDetailQueryVariables>;